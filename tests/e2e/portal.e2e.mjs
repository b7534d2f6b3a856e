// End-to-end: the example portal page in Debian's Chromium (headless),
// driven by playwright-core. A citizen on a phone searches "khai sinh",
// submits anonymously, uploading a document per component with progress
// (after one refused attempt), the officers on a desktop receive and
// process it (the citizen meanwhile sees the handler and the step's
// deadline), the chairman attaches the result and signs it digitally, the
// desk returns it, and the citizen tracks it, downloads the signed result
// and rates the service once. Screenshots
// go to $ARTIFACTS; any console error or uncaught exception (a CSP
// violation, a script error) fails the test.
//
// Then a citizen signs in: her profile fills the submission form, a second
// submission reuses a document of her data store, and a level-4 fee is
// paid online (the test plays the gateway and calls the portal back).
//
// env: BASE_URL, ARTIFACTS, TOKENS (JSON {username: token}), CHROMIUM,
// GATEWAY_SECRET (the server's DVC_GATEWAY_SECRET)
import { chromium } from 'playwright-core';
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BASE = process.env.BASE_URL;
const OUT = process.env.ARTIFACTS;
const TOKENS = JSON.parse(process.env.TOKENS);
mkdirSync(OUT, { recursive: true });

const problems = [];
let step = 0;
function log(msg) { console.log(`[${++step}] ${msg}`); }
function expect(cond, what) { if (!cond) throw new Error(`expectation failed: ${what}`); }

function watch(page, name) {
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`${name} console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`${name} page error: ${e.message}`));
  // an API error the test provokes on purpose is logged by Chromium as a
  // failed resource; those are expected and not counted
}

async function shot(page, file, fullPage = true) {
  await page.screenshot({ path: join(OUT, file), fullPage });
  log(`screenshot ${file}`);
}

/* Every visible form control has a label (accessibility smoke check). */
async function labelled(page, where) {
  const bad = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
    .filter((e) => e.offsetParent !== null && e.type !== 'hidden')
    .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
    .map((e) => e.id || e.name || e.outerHTML.slice(0, 60)));
  expect(bad.length === 0, `${where}: controls without a label: ${bad.join(', ')}`);
}

async function ready(page) {
  await page.waitForSelector('body[data-ready="1"]');
}

const profile = mkdtempSync(join(tmpdir(), 'dvc-e2e-chromium-'));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  // the flags this machine needs (closed network); playwright adds
  // --headless and a fresh --user-data-dir of its own per context
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--disable-dev-shm-usage'],
  env: { ...process.env, HOME: profile },
});

let failed = false;
const phone = await browser.newContext({
  viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
  locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh',
});
const desk = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
phone.setDefaultTimeout(15000);
desk.setDefaultTimeout(15000);
const citizen = await phone.newPage();
const officer = await desk.newPage();
watch(citizen, 'citizen');
watch(officer, 'officer');

try {
  // ---- the citizen, on a phone ----
  await citizen.goto(BASE);
  await ready(citizen);
  expect(await citizen.getAttribute('html', 'lang') === 'vi', 'the page is in Vietnamese');
  await citizen.keyboard.press('Tab');
  expect((await citizen.evaluate(() => document.activeElement.textContent)).includes('Bỏ qua'),
    'the first Tab reaches the skip link');
  await labelled(citizen, 'search');
  await shot(citizen, '01-home-phone.png', false);

  const q = citizen.getByLabel('Tên thủ tục hoặc từ khóa');
  await q.fill('khai sinh');
  await q.press('Enter'); // keyboard submit
  await citizen.locator('#results[data-query="khai sinh"][aria-busy="false"]').waitFor({ state: 'attached' });
  const hit = citizen.getByRole('link', { name: 'Thủ tục đăng ký khai sinh', exact: true });
  expect(await citizen.locator('#results li a').first().textContent() === 'Thủ tục đăng ký khai sinh',
    'the birth registration comes first');
  log(`search: ${await citizen.locator('#search-count').textContent()}`);
  await shot(citizen, '02-search-khai-sinh-phone.png');

  await hit.click();
  await citizen.getByRole('heading', { level: 1, name: 'Thủ tục đăng ký khai sinh' }).waitFor();
  expect(await citizen.getByText('Giấy chứng sinh', { exact: false }).first().isVisible(), 'documents listed');
  expect(await citizen.getByRole('link', { name: /Tải mẫu: Tờ khai đăng ký khai sinh/ }).isVisible(), 'form download link');
  await labelled(citizen, 'procedure');
  await shot(citizen, '03-procedure-phone.png');

  // first attempt with a malformed citizen ID: the library refuses, the page says where
  const form = citizen.locator('#submit-form');
  await form.getByLabel('Họ, chữ đệm và tên').fill('Nguyễn Thị Mai');
  await form.getByLabel('Số định danh cá nhân (12 số)').fill('12345');
  await form.getByLabel('Ngày sinh').fill('1995-08-20');
  await form.getByLabel('Số điện thoại').fill('0912 345 678');
  await form.getByLabel('Nơi cư trú').fill('Thôn 3, xã Thụy Hương, huyện Kiến Thụy, Hải Phòng');
  await form.getByLabel(/^Giấy chứng sinh/).setInputFiles({
    name: 'giay-chung-sinh.pdf', mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.4\n% giấy chứng sinh (thử)\n%%EOF\n'),
  });
  await form.getByRole('button', { name: 'Nộp hồ sơ' }).click();
  const err = citizen.locator('#submit-error');
  await err.waitFor({ state: 'visible' });
  expect((await err.textContent()).includes('DVC_EINVAL'), 'the library error code is shown');
  expect(await form.getByLabel('Số định danh cá nhân (12 số)').getAttribute('aria-invalid') === 'true',
    'the citizen ID field is marked invalid');
  expect(await citizen.evaluate(() => document.activeElement.id) === 'a-citizen_id', 'focus moves to the field');
  await shot(citizen, '04-submit-error-phone.png', false);

  await form.getByLabel('Số định danh cá nhân (12 số)').fill('031195001234');
  await form.getByRole('button', { name: 'Nộp hồ sơ' }).click();
  await citizen.locator('#receipt').waitFor({ state: 'visible' });
  expect(await citizen.locator('#pg-1').evaluate((p) => p.value) === 100, 'the upload progress reached 100%');
  expect((await citizen.locator('#pg-1-text').textContent()).includes('application/pdf'),
    'the type the library detected is shown');
  const code = (await citizen.locator('#receipt-code').textContent()).trim();
  const secret = (await citizen.locator('#receipt-secret').textContent()).trim();
  // a commune procedure is received at the commune (its code carries the receiving desk)
  expect(/^001\.20\.30\.H24-\d{6}-\d{4}$/.test(code), `dossier code ${code}`);
  expect(secret.length >= 8, 'tracking secret shown');
  log(`submitted ${code}`);
  await shot(citizen, '05-receipt-phone.png', false);

  await citizen.getByRole('link', { name: 'Theo dõi hồ sơ này' }).click();
  // the link changes the hash; the page fills the field on 'hashchange', after the click resolves
  const codeField = citizen.getByLabel('Mã hồ sơ');
  for (let i = 0; i < 100 && (await codeField.inputValue()) !== code; i++)
    await citizen.waitForTimeout(50);
  expect(await codeField.inputValue() === code, 'code carried to tracking');
  await citizen.getByRole('button', { name: 'Tra cứu' }).click();
  await citizen.locator('#track-result:not([hidden]) .badge').first().waitFor();
  expect((await citizen.locator('#track-result .badge').first().textContent()) === 'Chờ tiếp nhận', 'submitted');

  // ---- the officers, on a desktop ----
  async function signIn(user) {
    await officer.goto(`${BASE}/#/officer`);
    await ready(officer);
    if (await officer.locator('#officer-desk').isVisible()) {
      await officer.locator('#officer-desk').getByRole('button', { name: 'Đăng xuất' }).click();
      await officer.locator('#officer-login').waitFor({ state: 'visible' });
    }
    await officer.getByLabel('Tên đăng nhập cán bộ').fill(user);
    await officer.getByLabel('Mã bàn làm việc').fill(TOKENS[user]);
    await officer.locator('#officer-login').getByRole('button', { name: 'Đăng nhập' }).click();
    await officer.locator('#officer-desk').waitFor({ state: 'visible' });
    await officer.locator('#inbox-count').filter({ hasText: '(' }).waitFor();
  }
  async function doAction(action, opts = {}) {
    const which = opts.code || code;
    await officer.getByRole('button', { name: `Xử lý hồ sơ ${which}` }).click();
    await officer.locator('#case:not([hidden]):not([data-busy])').waitFor();
    await officer.getByLabel('Thao tác').selectOption(action);
    if (opts.delivery) await officer.getByLabel('Hình thức trả kết quả').selectOption(opts.delivery);
    if (opts.shot) await shot(officer, opts.shot);
    await officer.getByRole('button', { name: 'Thực hiện' }).click();
    await officer.locator('#flash.ok').filter({ hasText: which }).waitFor();
    const msg = await officer.locator('#flash').textContent();
    log(`officer: ${msg}`);
    return msg;
  }

  await signIn('ha.xa');
  await labelled(officer, 'officer desk');
  await shot(officer, '06-officer-inbox-desktop.png');
  expect((await doAction('receive', { shot: '07-officer-case-desktop.png' })).includes('Đã tiếp nhận'), 'received');
  expect((await doAction('forward')).includes('Đang xử lý'), 'forwarded to the specialist');

  // the citizen sees who handles the step and its deadline
  await citizen.getByRole('button', { name: 'Tra cứu' }).click();
  await citizen.locator('#track-result:not([hidden]) .badge').first().waitFor();
  const facts = await citizen.locator('#track-result dl.facts').textContent();
  expect(facts.includes('Cán bộ xử lý') && facts.includes('Hạn xử lý bước hiện tại') &&
    /Hạn xử lý bước hiện tại\d\d:\d\d ngày \d\d\/\d\d\/2018/.test(facts), `handler and step deadline shown: ${facts}`);
  expect(facts.includes('Phí, lệ phí'), 'fees shown');
  await shot(citizen, '05b-track-in-progress-phone.png');

  await signIn('tam.nv');
  expect((await doAction('forward')).includes('Đang xử lý'), 'specialist done');
  await signIn('son.xa');
  // the chairman attaches the result and signs it with the agency's key
  await officer.getByRole('button', { name: `Xử lý hồ sơ ${code}` }).click();
  await officer.locator('#result-form').waitFor({ state: 'visible' });
  await officer.getByLabel('Tệp kết quả (PDF)').setInputFiles({
    name: 'trich-luc-khai-sinh.pdf', mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.4\n% trích lục khai sinh (thử)\n%%EOF\n'),
  });
  await officer.getByRole('button', { name: 'Đính kèm và ký số' }).click();
  await officer.locator('#status').filter({ hasText: 'Đã ký số kết quả' }).waitFor({ state: 'attached' });
  await officer.locator('#case:not([data-busy])').getByRole('link', { name: 'Tải kết quả điện tử có chữ ký số' }).waitFor();
  await shot(officer, '07b-officer-signed-desktop.png');
  expect((await doAction('forward')).includes('Có kết quả'), 'signed: result ready');
  await signIn('ha.xa');
  expect((await doAction('return', { delivery: 'counter' })).includes('Đã trả kết quả'), 'returned');
  await shot(officer, '08-officer-returned-desktop.png');

  // ---- the citizen tracks it and sees the result ----
  await citizen.goto(`${BASE}/#/track/${encodeURIComponent(code)}`);
  await citizen.reload();
  await ready(citizen);
  const secretField = citizen.getByLabel('Mã tra cứu');
  for (let i = 0; i < 100 && (await secretField.inputValue()) !== secret; i++)
    await citizen.waitForTimeout(50);
  expect(await secretField.inputValue() === secret, 'secret kept for this tab');
  await citizen.getByRole('button', { name: 'Tra cứu' }).click();
  await citizen.locator('#track-result:not([hidden]) .badge').first().waitFor();
  const label = await citizen.locator('#track-result .badge').first().textContent();
  expect(label === 'Đã trả kết quả', `result state shown (${label})`);
  const steps = await citizen.locator('#track-result .timeline li').count();
  const actions = await citizen.locator('#track-result .timeline li strong').allTextContents();
  expect(actions.includes('Nộp, bổ sung tệp') && actions.includes('Ký số kết quả') && steps >= 9,
    `history with the upload and the signature (${actions.join(', ')})`);
  expect(await citizen.getByRole('link', { name: /giay-chung-sinh\.pdf/ }).isVisible(), 'the uploaded file is listed');
  const [download] = await Promise.all([citizen.waitForEvent('download'),
    citizen.getByRole('link', { name: 'Tải kết quả điện tử có chữ ký số' }).click()]);
  const signedPath = await download.path();
  const { readFileSync } = await import('node:fs');
  const signedXml = readFileSync(signedPath, 'utf8');
  expect(signedXml.includes('<ds:Signature') || signedXml.includes('Signature'), 'the signed result downloads');
  log(`signed result: ${download.suggestedFilename()}, ${signedXml.length} bytes`);

  // the rating: once, by the applicant
  const rating = citizen.locator('#rating-form');
  await rating.waitFor({ state: 'visible' });
  await labelled(citizen, 'rating form');
  await rating.getByRole('button', { name: 'Gửi đánh giá' }).click();
  await citizen.locator('#rating-error').waitFor({ state: 'visible' });
  expect((await citizen.locator('#rating-error').textContent()).includes('DVC_ERANGE'),
    'a rating without the overall score is refused by the library');
  await rating.getByLabel('Đánh giá tổng thể dịch vụ *').selectOption('5');
  await rating.getByLabel(/Thái độ của cán bộ/).selectOption('4');
  await rating.getByLabel('Góp ý (không bắt buộc)').fill('Cán bộ xã hướng dẫn tận tình, trả kết quả đúng hẹn.');
  await shot(citizen, '09a-rating-phone.png');
  await rating.getByRole('button', { name: 'Gửi đánh giá' }).click();
  await citizen.locator('#rating-done').filter({ hasText: 'Cảm ơn' }).waitFor();
  await citizen.getByRole('button', { name: 'Tra cứu' }).click();
  await citizen.locator('#rating-done').filter({ hasText: 'Đã đánh giá' }).waitFor();
  expect(await citizen.locator('#rating-form').count() === 0, 'no second rating form');
  expect(await citizen.getByRole('link', { name: 'Giấy tiếp nhận và hẹn trả kết quả' }).count() <= 1, 'slip link');
  await shot(citizen, '09-track-result-phone.png');

  // ---- a citizen with an account: her profile on the form, a stored
  // document reused, a level-4 fee paid online ----
  await citizen.goto(`${BASE}/#/account`);
  await citizen.reload();
  await ready(citizen);
  await citizen.locator('#login-form').getByLabel('Tên đăng nhập').fill('binh.tt');
  await citizen.locator('#login-form').getByLabel('Mật khẩu').fill('Hai-Phong-2018');
  await citizen.locator('#login-form').getByRole('button', { name: 'Đăng nhập' }).click();
  await citizen.locator('#account-in:not([hidden])').waitFor();
  async function openProcedure(proc, name) {
    await citizen.goto(`${BASE}/#/procedure/${proc}`);
    await citizen.reload();
    await ready(citizen);
    await citizen.getByRole('heading', { level: 1, name }).waitFor();
    await citizen.locator('#applicant-fields[data-filled="binh.tt"]').waitFor({ state: 'attached' });
  }
  async function submitAndRead() {
    await form.getByRole('button', { name: 'Nộp hồ sơ' }).click();
    await citizen.locator('#receipt').waitFor({ state: 'visible' });
    return (await citizen.locator('#receipt-code').textContent()).trim();
  }
  async function trackAsAccount(c) {
    await citizen.goto(`${BASE}/#/track/${encodeURIComponent(c)}`);
    await citizen.reload();
    await ready(citizen);
    await citizen.getByLabel('Mã tra cứu').fill('');
    await citizen.getByRole('button', { name: 'Tra cứu' }).click();
    await citizen.locator('#track-result:not([hidden]) .badge').first().waitFor();
  }
  await openProcedure('1.001193', 'Thủ tục đăng ký khai sinh');
  // the profile the library keeps for the account, shown before submitting
  const name = form.getByLabel('Họ, chữ đệm và tên');
  expect(await name.inputValue() === 'Trần Thị Bình', `the profile's name is filled in (${await name.inputValue()})`);
  expect(await form.getByLabel('Số định danh cá nhân (12 số)').inputValue() === '031190004567', 'the profile\'s citizen ID');
  expect(await form.getByLabel('Ngày sinh').inputValue() === '1990-03-15', 'the profile\'s birth date');
  expect(await name.evaluate((e) => e.readOnly), 'read-only while the profile is used');
  await labelled(citizen, 'submission with a profile');
  await shot(citizen, '12-profile-filled-phone.png');
  await form.getByLabel(/^Giấy chứng sinh/).setInputFiles({
    name: 'giay-chung-sinh-con-binh.pdf', mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.4\n% giấy chứng sinh của con chị Bình (thử)\n%%EOF\n'),
  });
  const first = await submitAndRead();
  log(`account submission ${first} with an upload`);

  // a second submission reuses the certificate from her data store: no new upload
  await openProcedure('1.001193', 'Thủ tục đăng ký khai sinh');
  const reuse = form.getByLabel('Hoặc dùng lại giấy tờ đã lưu').first();
  await reuse.locator('option', { hasText: 'giay-chung-sinh-con-binh.pdf' }).first().waitFor({ state: 'attached' });
  const stored = await reuse.locator('option', { hasText: 'giay-chung-sinh-con-binh.pdf' }).first().getAttribute('value');
  await reuse.selectOption(stored);
  await shot(citizen, '13-reuse-stored-phone.png');
  const second = await submitAndRead();
  expect(second !== first, 'a second dossier');
  log(`account submission ${second} reusing stored file ${stored}`);
  await trackAsAccount(second);
  expect(await citizen.getByRole('link', { name: /giay-chung-sinh-con-binh\.pdf/ }).isVisible(),
    'the reused document is on the second dossier');
  // by reference: the stored file of the first dossier, the same content stored once
  const [reusedFiles, store] = await citizen.evaluate(async (c) => [await (await fetch(`/api/dossiers/${c}/files`)).json(),
    await (await fetch('/api/account/files')).json()], second);
  const orig = store.find((f) => String(f.id) === stored);
  expect(orig && orig.dossier === first, `the offered file is the first dossier's: ${JSON.stringify(orig)}`);
  expect(reusedFiles.length === 1 && reusedFiles[0].sha256 === orig.sha256 && reusedFiles[0].added_by === 'account:binh.tt',
    `attached by reference: ${JSON.stringify(reusedFiles)}`);

  // level 4: the e-form filled online, the desk receives, the citizen pays online
  await openProcedure('DEMO.000004', /trích lục/);
  await form.getByLabel('Mục đích sử dụng *').fill('Bổ sung hồ sơ học tập');
  await form.getByLabel('Số bản sao *').fill('2');
  const paid = await submitAndRead();
  log(`level-4 submission ${paid}`);
  await signIn('hoa.lt');
  expect((await doAction('receive', { code: paid })).includes('Đã tiếp nhận'), 'level 4 received');
  await trackAsAccount(paid);
  const payBtn = citizen.getByRole('button', { name: /^Thanh toán trực tuyến 16\.000/ });
  await payBtn.waitFor();
  const [payResp] = await Promise.all([
    citizen.waitForResponse((r) => r.url().endsWith(`/api/dossiers/${encodeURIComponent(paid)}/payment`)),
    payBtn.click()]);
  const req = await payResp.json();
  expect(payResp.status() === 201 && req.amount === 16000, `payment requested: ${JSON.stringify(req)}`);
  await citizen.getByText(`Mã thanh toán ${req.reference}`).waitFor();
  await shot(citizen, '14-pay-request-phone.png');
  // the gateway (the test, with the server's shared secret) confirms the
  // payment and calls the portal back, signed HMAC-SHA512 as VNPay does
  const params = {
    vnp_Amount: String(req.amount * 100), vnp_ResponseCode: '00', vnp_TransactionStatus: '00',
    vnp_TransactionNo: '14012345', vnp_TxnRef: req.reference,
  };
  const signedData = Object.keys(params).sort().map((k) => `${k}=${encodeURIComponent(params[k])}`).join('&');
  const hash = createHmac('sha512', process.env.GATEWAY_SECRET).update(signedData).digest('hex');
  const cb = await fetch(`${BASE}/api/payments/callback?${signedData}&vnp_SecureHash=${hash}`);
  const cbDoc = await cb.json();
  expect(cb.status === 200 && cbDoc.outcome === 'paid' && cbDoc.dossier === paid, `gateway callback: ${cb.status} ${JSON.stringify(cbDoc)}`);
  await citizen.getByRole('button', { name: 'Tra cứu' }).click();
  await citizen.locator('#track-result:not([hidden]) .badge').first().waitFor();
  const paidFacts = await citizen.locator('#track-result dl.facts').textContent();
  expect(/Phải nộp 16\.000.*đã nộp 16\.000/.test(paidFacts), `the fee shows as paid: ${paidFacts}`);
  expect(await citizen.getByRole('button', { name: /^Thanh toán trực tuyến/ }).count() === 0, 'no pay button once paid');
  const history = await citizen.locator('#track-result .timeline li strong').allTextContents();
  expect(history.includes('Thanh toán'), `the payment is in the journal (${history.join(', ')})`);
  await shot(citizen, '15-paid-phone.png');

  // the same result on a desktop viewport, and the procedure page there
  const deskCitizen = await desk.newPage();
  watch(deskCitizen, 'desktop citizen');
  await deskCitizen.goto(`${BASE}/#/track/${encodeURIComponent(code)}`);
  await ready(deskCitizen);
  await deskCitizen.getByLabel('Mã tra cứu').fill(secret);
  await deskCitizen.getByRole('button', { name: 'Tra cứu' }).click();
  await deskCitizen.locator('#track-result:not([hidden]) .badge').first().waitFor();
  await shot(deskCitizen, '10-track-result-desktop.png');
  await deskCitizen.goto(`${BASE}/#/procedure/1.001193`);
  await deskCitizen.getByRole('heading', { level: 1, name: 'Thủ tục đăng ký khai sinh' }).waitFor();
  await shot(deskCitizen, '11-procedure-desktop.png');

  const real = problems.filter((p) => !/Failed to load resource: the server responded with a status of 400/.test(p));
  expect(real.length === 0, `no console errors: ${real.join(' | ')}`);
  log('end-to-end scenario passed');
} catch (e) {
  failed = true;
  console.error(`FAIL: ${e.message}`);
  for (const p of problems) console.error(`  ${p}`);
  try {
    await citizen.screenshot({ path: join(OUT, 'failure-citizen.png'), fullPage: true });
    await officer.screenshot({ path: join(OUT, 'failure-officer.png'), fullPage: true });
  } catch (e2) { /* the browser may be gone */ }
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
