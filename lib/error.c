/* Thread-local last error. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#define DVC_MSG_MAX 512
#define DVC_PATH_MAX 256

typedef struct err_slot {
	dvc_error pub;
	char msg[DVC_MSG_MAX];
	char path[DVC_PATH_MAX];
} err_slot;

/* Fixed-size thread-local storage: recording an error never allocates, so an
 * out-of-memory condition can always be reported. */
static _Thread_local err_slot tls_err = {{DVC_OK, "no error", NULL}, "", ""};

const dvc_error *dvc_error_last(void)
{
	if (tls_err.pub.message == NULL)
		tls_err.pub.message = "no error";
	return &tls_err.pub;
}

void dvc_error_clear(void)
{
	tls_err.pub.code = DVC_OK;
	tls_err.pub.message = "no error";
	tls_err.pub.path = NULL;
}

int dvc__verr(int code, const char *path, const char *fmt, va_list ap)
{
	vsnprintf(tls_err.msg, sizeof tls_err.msg, fmt, ap);
	tls_err.pub.code = code;
	tls_err.pub.message = tls_err.msg;
	if (path) {
		snprintf(tls_err.path, sizeof tls_err.path, "%s", path);
		tls_err.pub.path = tls_err.path;
	} else {
		tls_err.pub.path = NULL;
	}
	return code;
}

int dvc__err(int code, const char *path, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	dvc__verr(code, path, fmt, ap);
	va_end(ap);
	return code;
}

int dvc__oom(void)
{
	return dvc__err(DVC_ENOMEM, NULL, "out of memory");
}

void dvc__err_prefix_path(const char *prefix)
{
	char tmp[DVC_PATH_MAX * 2 + 2];
	if (!prefix || !*prefix)
		return;
	if (tls_err.pub.path) {
		/* A leading '[' or '.' in the old path joins directly onto the prefix. */
		snprintf(tmp, sizeof tmp, "%s%s%s", prefix,
			 (tls_err.path[0] == '[' || tls_err.path[0] == '.') ? "" : ".",
			 tls_err.path);
	} else {
		snprintf(tmp, sizeof tmp, "%s", prefix);
	}
	memcpy(tls_err.path, tmp, DVC_PATH_MAX - 1);
	tls_err.path[DVC_PATH_MAX - 1] = '\0';
	tls_err.pub.path = tls_err.path;
}

const char *dvc_status_name(int code)
{
	static const char *const names[] = {
		"DVC_OK", "DVC_ERROR", "DVC_ENOMEM", "DVC_EINVAL", "DVC_ENOTFOUND",
		"DVC_EEXISTS", "DVC_EPARSE", "DVC_ESCHEMA", "DVC_EUTF8", "DVC_ETOOBIG",
		"DVC_EDUPLICATE", "DVC_EREF", "DVC_ETRANSITION", "DVC_ESERVICELEVEL",
		"DVC_EPERM", "DVC_ECONFLICT", "DVC_ESIGNATURE", "DVC_EIO", "DVC_EVERSION",
		"DVC_EBUSY", "DVC_EDATE", "DVC_ERANGE", "DVC_ETXN", "DVC_EAUTH",
		"DVC_ETHROTTLED", "DVC_EEXPIRED", "DVC_ECORRUPT", "DVC_ETEMPLATE", "DVC_EAMOUNT", "DVC_EUSER",
		"DVC_EMEDIATYPE", "DVC_EINCOMPLETE", "DVC_ETRUNCATED", "DVC_EMISMATCH", "DVC_ERETAINED",
	};
	if (code > 0 || (size_t)(-code) >= DVC_ARRAY_LEN(names))
		return "DVC_UNKNOWN";
	return names[-code];
}

/* Written for citizens and officers at a portal (not from a legal text):
 * what happened and, where there is one, what to do. */
const char *dvc_status_text_vi(int code)
{
	static const char *const texts[] = {
		"Thành công",
		"Có lỗi xảy ra trong hệ thống",
		"Hệ thống không đủ bộ nhớ, vui lòng thử lại",
		"Dữ liệu không hợp lệ",
		"Không tìm thấy",
		"Đã tồn tại",
		"Dữ liệu không đọc được",
		"Dữ liệu không đúng mẫu",
		"Dữ liệu có ký tự không hợp lệ",
		"Dữ liệu quá lớn",
		"Dữ liệu bị trùng lặp",
		"Mã tham chiếu không tồn tại",
		"Thao tác không thực hiện được ở bước này",
		"Thủ tục không hỗ trợ việc này ở mức độ dịch vụ hiện tại",
		"Không có quyền thực hiện",
		"Hồ sơ vừa thay đổi, hãy tải lại",
		"Chữ ký số không hợp lệ hoặc chưa cấu hình khóa ký",
		"Lỗi đọc ghi dữ liệu, vui lòng thử lại sau",
		"Dữ liệu do phiên bản mới hơn của hệ thống tạo ra",
		"Hệ thống đang bận, vui lòng thử lại",
		"Ngày giờ không hợp lệ",
		"Giá trị vượt quá giới hạn cho phép",
		"Giao dịch dữ liệu không hợp lệ",
		"Thông tin xác thực không đúng",
		"Thử sai quá nhiều lần, vui lòng thử lại sau",
		"Đã hết hạn hoặc không còn hiệu lực",
		"Dữ liệu lưu trữ không toàn vẹn",
		"Mẫu thông báo không hợp lệ",
		"Số tiền không đúng",
		"Lỗi từ phần mềm tích hợp",
		"Loại tệp không được chấp nhận (hệ thống kiểm tra theo nội dung tệp)",
		"Hồ sơ còn thiếu thành phần bắt buộc",
		"Tệp tải lên chưa đủ dung lượng, vui lòng tải lại",
		"Thông tin định danh không khớp với hồ sơ tài khoản",
		"Dữ liệu cá nhân còn trong thời hạn lưu trữ",
	};
	_Static_assert(DVC_ARRAY_LEN(texts) == 1 - DVC_ERETAINED, "a text for every status");
	if (code > 0 || (size_t)(-code) >= DVC_ARRAY_LEN(texts))
		return "Có lỗi xảy ra";
	return texts[-code];
}

int dvc__version_err(const char *type, unsigned int got, unsigned int want)
{
	return dvc__err(DVC_EINVAL, NULL, "%s version %u is not %u: initialise it with its _INIT macro",
			type, got, want);
}
