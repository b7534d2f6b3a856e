// End-to-end: sign-in with VNeID (examples/httpd/oidc.c) in Debian's
// Chromium (headless), driven by playwright-core, against the local OpenID
// provider tests/oidc_op.py on ANOTHER SITE than the portal (the portal at
// http://127.0.0.1:P, the provider at http://localhost:Q), so that the
// cookies' SameSite attributes meet a real cross-site redirect chain:
// page -> /auth/vneid (302) -> provider (302) -> /auth/vneid/callback, which
// sets the SameSite=Strict session cookie and meta-refreshes to "/".
//
// 1. A citizen registers, signs out, signs in with her password, clicks
//    "Liên kết VNeID"; the provider approves at once and sends her back; the
//    page ends at / signed in (what the page shows and GET /api/session from
//    the page). She signs out.
// 2. A new browser context clicks "Đăng nhập bằng VNeID" and ends at /
//    signed in as the same account; the callback URL opened again is refused
//    (Vietnamese error page) and leaves that session as it was.
// 3. A new context, the provider signing with a key it does not publish: the
//    Vietnamese error page, no session cookie, and the page says "Khách".
// Every sign-in checks the hops (portal -> provider -> callback -> /), the
// cookies' attributes, that the callback request carries the Lax binding
// cookie and that the request for / after the meta refresh carries the new
// session cookie.
//
// The scenario runs twice: in Chromium as shipped, which judges the
// callback request same-site by its initiator (the portal's page) and so
// sends the Strict session cookie with it too, and in Chromium with
// CookieSameSiteConsidersRedirectChain (the stricter rule of RFC 6265bis:
// the cross-site redirect chain makes it cross-site), where the test asserts
// that the callback request goes WITHOUT the Strict session cookie: the case
// the callback's meta refresh (rather than a 303) is there for. Any console
// error or uncaught exception fails the test.
//
// env: BASE_URL (the portal), OP_URL (the provider), ARTIFACTS, CHROMIUM
import { chromium } from 'playwright-core';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BASE = process.env.BASE_URL;
const OP = process.env.OP_URL;
const OUT = process.env.ARTIFACTS;
mkdirSync(OUT, { recursive: true });
const CITIZEN = {
  user: 'an.nv', pass: 'Kien-Thuy-2026', name: 'Nguyễn Văn An', id: '031099001234',
  birth: '1999-05-12', address: 'Thôn 3, xã Thụy Hương, huyện Kiến Thụy', phone: '0912 345 678',
};

const problems = [];
let step = 0;
function log(msg) { console.log(`[${++step}] ${msg}`); }
function expect(cond, what) { if (!cond) throw new Error(`expectation failed: ${what}`); }

function watch(page, name) {
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`${name} console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`${name} page error: ${e.message}`));
}

/* The main frame's navigation requests, redirects included. */
function navigations(page) {
  const seen = [];
  page.on('request', (r) => {
    if (r.isNavigationRequest() && r.frame() === page.mainFrame()) seen.push(r);
  });
  return seen;
}
const hostPath = (r) => { const u = new URL(r.url()); return `${u.host}${u.pathname}`; };
const cookieNames = async (r) => ((await r.allHeaders()).cookie || '').split(/;\s*/)
  .map((c) => c.split('=')[0]).filter(Boolean);

async function shot(page, file) {
  await page.screenshot({ path: join(OUT, file), fullPage: true });
  log(`screenshot ${file}`);
}

async function ready(page) {
  await page.waitForSelector('body[data-ready="1"]');
}

async function apiSession(page) {
  return page.evaluate(async () => (await fetch('/api/session', { credentials: 'same-origin' })).json());
}

async function opSet(path) {
  const r = await fetch(OP + path);
  expect(r.ok, `provider switch ${path}: ${r.status}`);
}

const portalHost = new URL(BASE).host;
const opHost = new URL(OP).host;
expect(new URL(BASE).hostname !== new URL(OP).hostname, 'the provider is on another site than the portal');

/* Click a VNeID link on the account view and follow the browser to where it
 * ends: the callback's page and, on success, "/" after its meta refresh. */
async function throughProvider(page, linkName, { ok, chain }) {
  const seen = navigations(page);
  const [begin, callback] = await Promise.all([
    page.waitForResponse((r) => r.url().startsWith(`${BASE}/auth/vneid`) && !r.url().includes('/callback')),
    page.waitForResponse((r) => r.url().startsWith(`${BASE}/auth/vneid/callback`)),
    page.getByRole('link', { name: linkName, exact: true }).click(),
  ]);
  // the chain really went through the other site
  const hops = () => seen.map(hostPath).join(' -> ');
  const i = seen.findIndex((r) => hostPath(r).startsWith(`${portalHost}/auth/vneid`));
  expect(i >= 0 && hostPath(seen[i + 1]) === `${opHost}/oauth2/authorize` &&
    hostPath(seen[i + 2]) === `${portalHost}/auth/vneid/callback`,
    `portal -> provider -> portal callback: ${hops()}`);
  const bind = (await begin.headerValue('set-cookie')) || '';
  expect(begin.status() === 302 && /^dvc_oidc=/.test(bind) && /SameSite=Lax/.test(bind) &&
    /Path=\/auth\/vneid\/callback/.test(bind), `the binding cookie: ${begin.status()} ${bind}`);
  // the callback request ends a redirect from the provider's site: the Lax
  // binding cookie comes with it; the Strict session cookie only when the
  // browser judges the request by its initiator (the portal's page) alone,
  // not when it counts the cross-site redirect chain
  const sent = await cookieNames(callback.request());
  expect(sent.includes('dvc_oidc'), `the callback request carries dvc_oidc (Lax): ${sent}`);
  if (chain)
    expect(!sent.includes('dvc_session'), `the cross-site chain: the callback request omits dvc_session (Strict): ${sent}`);
  if (ok) {
    // (its body is gone once the meta refresh has navigated away: the page
    // it leads to is what is checked)
    expect(callback.status() === 200, `the callback succeeds: ${callback.status()}`);
    const sc = (await callback.headerValue('set-cookie')) || '';
    expect(/^dvc_session=/.test(sc) && /SameSite=Strict/.test(sc) && /HttpOnly/.test(sc),
      `the callback sets the SameSite=Strict session cookie: ${sc}`);
    // the meta refresh moves on to "/", a navigation the portal's own page
    // starts: same-site, the new Strict session cookie goes with it
    await page.waitForURL(`${BASE}/`);
    await ready(page);
    const home = seen[seen.length - 1];
    expect(hostPath(home) === `${portalHost}/` && seen.indexOf(home) === i + 3, `ends at /: ${hops()}`);
    expect((await cookieNames(home)).includes('dvc_session'), 'the request for / carries the new session cookie');
  } else {
    await page.waitForURL((u) => u.pathname === '/auth/vneid/callback');
    await page.waitForLoadState('load');
  }
  log(`${hops()} (the callback request carried: ${sent.join(', ')})`);
  return { callback, url: callback.url() };
}

async function signedInAs(page, user, where) {
  await page.locator('#who').filter({ hasText: `Công dân: ${user}` }).waitFor();
  const s = await apiSession(page);
  expect(s.actor && s.actor.kind === 'account' && s.actor.username === user,
    `${where}: GET /api/session from the page is account ${user}: ${JSON.stringify(s)}`);
  const session = (await page.context().cookies(BASE)).find((c) => c.name === 'dvc_session');
  expect(session && session.sameSite === 'Strict' && session.httpOnly,
    `${where}: the browser keeps dvc_session (SameSite=Strict): ${JSON.stringify(session)}`);
}

async function refusedPage(page, code, text, where) {
  await page.getByRole('heading', { level: 1, name: 'Đăng nhập bằng VNeID không thành công' }).waitFor();
  expect((await page.locator('html').getAttribute('lang')) === 'vi', `${where}: a Vietnamese page`);
  expect((await page.locator('#code').textContent()) === code, `${where}: the library's code ${code}`);
  expect((await page.locator('p.error').textContent()).includes(text), `${where}: says "${text}"`);
}

const ctxOpts = { viewport: { width: 1280, height: 900 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' };
const pages = [];
let browser = null;
let profile = null;
async function newPage(name) {
  const ctx = await browser.newContext(ctxOpts);
  ctx.setDefaultTimeout(15000);
  const p = await ctx.newPage();
  watch(p, name);
  pages.push([name, p]);
  return p;
}

/* The whole scenario in one Chromium; `first` registers the account (later
 * runs sign in with its password and link again: a refresh of the link). */
async function scenario(tag, { first, chain }) {
  // ---- 1. a password session links the identity ----
  const a = await newPage(`${tag} linking`);
  await a.goto(`${BASE}/#/account`);
  await ready(a);
  expect(await a.getByRole('link', { name: 'Đăng nhập bằng VNeID', exact: true }).isVisible(),
    'the VNeID sign-in link is shown ("vneid": true)');
  if (first) {
    const reg = a.locator('#register-form');
    await reg.getByLabel('Tên đăng nhập').fill(CITIZEN.user);
    await reg.getByLabel(/^Mật khẩu/).fill(CITIZEN.pass);
    await reg.getByLabel('Họ, chữ đệm và tên').fill(CITIZEN.name);
    await reg.getByLabel('Số định danh cá nhân').fill(CITIZEN.id);
    await reg.getByLabel('Ngày sinh').fill(CITIZEN.birth);
    await reg.getByLabel('Nơi cư trú').fill(CITIZEN.address);
    await reg.getByLabel('Số điện thoại').fill(CITIZEN.phone);
    await reg.getByRole('button', { name: 'Đăng ký' }).click();
    await a.locator('#account-in:not([hidden])').waitFor();
    await a.locator('#account-in').getByRole('button', { name: 'Đăng xuất' }).click();
    await a.locator('#account-out:not([hidden])').waitFor();
  }
  const login = a.locator('#login-form');
  await login.getByLabel('Tên đăng nhập').fill(CITIZEN.user);
  await login.getByLabel('Mật khẩu').fill(CITIZEN.pass);
  await login.getByRole('button', { name: 'Đăng nhập', exact: true }).click();
  await a.locator('#account-in:not([hidden])').waitFor();
  expect((await a.locator('#account-name').textContent()) === CITIZEN.user, 'signed in with the password');
  await shot(a, `${tag}-01-password-session.png`);
  await throughProvider(a, 'Liên kết VNeID', { ok: true, chain });
  await signedInAs(a, CITIZEN.user, 'after the link');
  await shot(a, `${tag}-02-linked-home.png`);
  await a.goto(`${BASE}/#/account`);
  await a.locator('#account-in:not([hidden])').waitFor();
  expect((await a.locator('#account-name').textContent()) === CITIZEN.user, 'the account view after the link');
  await a.locator('#account-in').getByRole('button', { name: 'Đăng xuất' }).click();
  await a.locator('#account-out:not([hidden])').waitFor();
  expect((await apiSession(a)).actor === null, 'signed out');
  log(`${tag}: linked VNeID from a password session, then signed out`);

  // ---- 2. a fresh browser context signs in with VNeID alone ----
  const b = await newPage(`${tag} vneid sign-in`);
  await b.goto(`${BASE}/#/account`);
  await ready(b);
  expect((await apiSession(b)).actor === null, 'a fresh context is not signed in');
  const signin = await throughProvider(b, 'Đăng nhập bằng VNeID', { ok: true, chain });
  await signedInAs(b, CITIZEN.user, 'after the VNeID sign-in');
  await shot(b, `${tag}-03-vneid-signed-in-home.png`);
  await b.goto(`${BASE}/#/account`);
  await b.locator('#account-in:not([hidden])').waitFor();
  expect((await b.locator('#account-name').textContent()) === CITIZEN.user, 'the account view shows the account');
  log(`${tag}: signed in with VNeID in a new context`);
  // the callback URL opened again: refused, the session stays as it was
  const again = await b.goto(signin.url);
  expect(again.status() === 404, `the callback URL again: ${again.status()}`);
  await refusedPage(b, 'DVC_ENOTFOUND', 'không còn hiệu lực', 'the callback URL again');
  await shot(b, `${tag}-04-callback-again.png`);
  await b.getByRole('link', { name: 'Về trang chủ' }).click();
  await ready(b);
  await signedInAs(b, CITIZEN.user, 'after the refused replay');
  log(`${tag}: the callback URL opened again is refused`);

  // ---- 3. a refusal: the provider signs with a key it does not publish ----
  await opSet('/test/mode?set=forged');
  try {
    const c = await newPage(`${tag} forged`);
    await c.goto(`${BASE}/#/account`);
    await ready(c);
    const sessionCookie = async () => (await c.context().cookies(BASE)).find((k) => k.name === 'dvc_session');
    const before = await sessionCookie(); // the page's anonymous session (its CSRF token), if any
    const forged = await throughProvider(c, 'Đăng nhập bằng VNeID', { ok: false, chain });
    expect(forged.callback.status() === 403, `a forged ID token: ${forged.callback.status()}`);
    expect(!/dvc_session=/.test((await forged.callback.headerValue('set-cookie')) || ''), 'no session cookie set');
    await refusedPage(c, 'DVC_ESIGNATURE', 'Chữ ký của mã xác thực VNeID không hợp lệ', 'a forged ID token');
    await shot(c, `${tag}-05-forged-refused.png`);
    const after = await sessionCookie();
    expect(JSON.stringify(after) === JSON.stringify(before),
      `the browser's session cookie is as it was: ${JSON.stringify(before)} -> ${JSON.stringify(after)}`);
    await c.getByRole('link', { name: 'Về trang chủ' }).click();
    await ready(c);
    await c.locator('#who').filter({ hasText: 'Khách' }).waitFor();
    expect((await apiSession(c)).actor === null, 'a refused sign-in leaves the browser signed out');
  } finally {
    await opSet('/test/mode?set=good');
  }
  log(`${tag}: a forged ID token is refused and leaves the browser signed out`);
}

const RUNS = [
  // Chromium as shipped
  { tag: 'chromium', first: true, chain: false, features: [] },
  // with the rule of RFC 6265bis (draft) §5.2.1: a request is same-site only
  // when its whole redirect chain is; the callback request then comes
  // without the Strict session cookie (asserted): the case the meta
  // refresh is for
  { tag: 'chromium-redirect-chain', first: false, chain: true,
    features: ['--enable-features=CookieSameSiteConsidersRedirectChain'] },
];

let failed = false;
try {
  for (const run of RUNS) {
    profile = mkdtempSync(join(tmpdir(), 'dvc-e2e-chromium-'));
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
        '--disable-dev-shm-usage', ...run.features],
      env: { ...process.env, HOME: profile },
    });
    await scenario(run.tag, run); // on failure its pages stay open for the screenshots
    await browser.close();
    browser = null;
    rmSync(profile, { recursive: true, force: true });
    profile = null;
  }
  // the error pages are 4xx documents: Chromium logs them as failed resources
  const real = problems.filter((p) => !/Failed to load resource: the server responded with a status of 40[34]/.test(p));
  expect(real.length === 0, `no console errors: ${real.join(' | ')}`);
  log('VNeID end-to-end scenario passed');
} catch (e) {
  failed = true;
  console.error(`FAIL: ${e.message}`);
  for (const p of problems) console.error(`  ${p}`);
  for (const [name, p] of pages) {
    try {
      await p.screenshot({ path: join(OUT, `failure-${name.replace(/\W+/g, '-')}.png`), fullPage: true });
    } catch (e2) { /* the browser may be gone */ }
  }
} finally {
  if (browser) await browser.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
