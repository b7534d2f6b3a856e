/* Replays inputs through a fuzz target without libFuzzer, so that the seed
 * corpus and every regression input run in the ordinary test builds (gcc,
 * and ASan + UBSan in build-san): replay_TARGET FILE_OR_DIR...
 * A target reports a broken contract by aborting. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;
	if (!f) {
		perror(path);
		return 1;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(buf);
		return 1;
	}
	fclose(f);
	fprintf(stderr, "replay %s\n", path);
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	int failed = 0, count = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			perror(argv[i]);
			return 1;
		}
		if (S_ISDIR(st.st_mode)) {
			struct dirent **names;
			int n = scandir(argv[i], &names, NULL, alphasort);
			for (int k = 0; k < n; k++) {
				char p[4096];
				if (names[k]->d_name[0] != '.') {
					snprintf(p, sizeof p, "%s/%s", argv[i], names[k]->d_name);
					failed += run_file(p);
					count++;
				}
				free(names[k]);
			}
			free(names);
		} else {
			failed += run_file(argv[i]);
			count++;
		}
	}
	printf("%d inputs replayed\n", count);
	return failed ? 1 : 0;
}
