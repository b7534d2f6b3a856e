/* The example portal page: plain JavaScript over the server's JSON API.
 * Presentation only — every rule (what a state allows, validation of the
 * applicant and the e-form, deadlines, who may act) is the library's; the
 * page shows what the API says and the library's errors, in Vietnamese.
 * All text from the server goes into the page as text nodes, never HTML. */
'use strict';

const S = { csrf: null, actor: null, proc: null, lastTracked: null, inbox: [], caseCode: null };

const DOC_FORM_VI = { original: 'Bản chính', copy: 'Bản sao', original_or_copy: 'Bản chính hoặc bản sao' };
const LEVEL_VI = { district: 'Cấp huyện', commune: 'Cấp xã', province: 'Cấp tỉnh' };
const MAX_UPLOAD = 20 * 1024 * 1024; /* the server's --max-upload default; the library has the last word */
const FILE_FORM_VI = { original: 'bản chính', copy: 'bản sao', ecopy: 'bản sao điện tử' };

/* ---- small helpers ---- */

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const k of kids.flat()) if (k !== null && k !== undefined && k !== false) e.append(k);
  return e;
}

function announce(msg) { $('status').textContent = msg; }

/* "2026-11-26T17:00:00+07:00" -> "17:00 ngày 26/11/2026" (already in Vietnam's time). */
function when(iso) {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)/.exec(iso || '');
  return m ? `${m[4]}:${m[5]} ngày ${m[3]}/${m[2]}/${m[1]}` : '—';
}

function vnd(n) { return n === 0 ? 'Miễn phí' : `${Number(n).toLocaleString('vi-VN')} đồng`; }

class ApiError extends Error {
  constructor(status, err) {
    super(err && err.message ? err.message : `HTTP ${status}`);
    this.status = status;
    this.code = err ? err.code : 'DVC_ERROR';
    this.path = err ? err.path : null;
    this.text = err ? err.text : null; /* the library's Vietnamese for the code */
  }
}

async function api(method, path, body, headers) {
  const h = Object.assign({}, headers);
  if (method !== 'GET') {
    h['X-CSRF-Token'] = S.csrf || '';
    if (body !== undefined) h['Content-Type'] = 'application/json';
  }
  const res = await fetch(path, {
    method, headers: h, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try { data = await res.json(); } catch (e) { data = null; }
  if (!res.ok) {
    const err = new ApiError(res.status, data && data.error);
    // an expired session is 401; a 410 DVC_EEXPIRED is a ceased agency or procedure
    if ((res.status === 401 && err.code === 'DVC_EEXPIRED') ||
        (res.status === 403 && /CSRF|session/.test(err.message))) {
      await loadSession();
    }
    throw err;
  }
  return data;
}

function errorText(e) {
  const vi = e.status === 401 && e.code === 'DVC_EEXPIRED'
    ? 'Phiên làm việc đã hết hạn, vui lòng đăng nhập lại' : e.text || 'Có lỗi xảy ra';
  return `${vi}${e.path ? ` (trường ${e.path})` : ''}: ${e.message} [${e.code}]`;
}

function showError(box, e, form) {
  box.textContent = errorText(e);
  box.hidden = false;
  if (form) {
    for (const f of form.querySelectorAll('[aria-invalid]')) {
      f.removeAttribute('aria-invalid');
      f.removeAttribute('aria-errormessage');
    }
    for (const m of form.querySelectorAll('.field-error')) m.remove();
    if (e.path) {
      const fields = [...form.querySelectorAll('[data-path]')];
      const hit = fields.find((f) => f.dataset.path === e.path) ||
        fields.find((f) => e.path.endsWith('.' + f.dataset.path.split('.').pop()) || f.dataset.path.endsWith('.' + e.path)) ||
        fields.find((f) => e.path.startsWith(f.dataset.path));
      if (hit) {
        const msg = el('p', { class: 'field-error', id: `${hit.id}-error`, text: errorText(e) });
        hit.after(msg);
        hit.setAttribute('aria-invalid', 'true');
        hit.setAttribute('aria-errormessage', msg.id);
        hit.focus();
        return;
      }
    }
  }
  box.setAttribute('tabindex', '-1');
  box.focus();
}

function clearError(box) { box.hidden = true; box.textContent = ''; }

/* ---- session ---- */

async function loadSession() {
  const s = await (await fetch('/api/session', { credentials: 'same-origin' })).json();
  S.csrf = s.csrf;
  S.actor = s.actor;
  S.vneid = s.vneid === true; // the server can sign in with VNeID (--oidc-*)
  renderWho();
}

function setSession(s) { S.csrf = s.csrf; S.actor = s.actor; renderWho(); }

function renderWho() {
  const a = S.actor;
  $('who').textContent = !a ? 'Khách' :
    a.kind === 'account' ? `Công dân: ${a.username}` : `Cán bộ: ${a.username} (${a.role_label || a.role})`;
}

/* ---- routing ---- */

function route() {
  const h = location.hash.replace(/^#/, '') || '/';
  const parts = h.split('/').filter(Boolean).map(decodeURIComponent);
  const view = parts[0] === 'procedure' ? 'procedure' : parts[0] === 'track' ? 'track'
    : parts[0] === 'account' ? 'account' : parts[0] === 'officer' ? 'officer' : 'search';
  for (const s of document.querySelectorAll('[data-view]')) s.hidden = s.dataset.view !== view;
  for (const a of document.querySelectorAll('[data-nav]')) {
    const on = a.dataset.nav === view || (view === 'procedure' && a.dataset.nav === 'search');
    if (on) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  $('flash').hidden = true;
  if (view === 'procedure') showProcedure(parts[1]);
  else if (view === 'track') showTrackView(parts[1]);
  else if (view === 'account') showAccount();
  else if (view === 'officer') showOfficer();
  const h1 = document.querySelector(`[data-view="${view}"] h1`);
  if (h1 && document.activeElement !== document.body) h1.focus();
}

/* ---- search ---- */

async function search(ev) {
  if (ev) ev.preventDefault();
  const p = new URLSearchParams();
  for (const k of ['q', 'level', 'online']) if ($(k).value) p.set(k, $(k).value);
  p.set('limit', '50');
  const list = $('results');
  list.setAttribute('aria-busy', 'true');
  list.dataset.query = $('q').value;
  try {
    const r = await api('GET', `/api/procedures?${p}`);
    list.replaceChildren(...r.procedures.map((x) => el('li', { class: 'card' },
      el('h2', { class: 'h3' }, el('a', { href: `#/procedure/${encodeURIComponent(x.code)}`, text: x.name })),
      el('p', { class: 'muted', text: `Mã ${x.code} · lĩnh vực ${x.sector} · mức độ ${x.online_level}` }))));
    $('search-count').textContent = r.count ? `Tìm thấy ${r.count} thủ tục.` : 'Không tìm thấy thủ tục nào.';
  } catch (e) {
    list.replaceChildren();
    $('search-count').textContent = errorText(e);
  } finally {
    list.setAttribute('aria-busy', 'false');
  }
}

/* ---- one procedure ---- */

async function showProcedure(code) {
  $('receipt').hidden = true;
  let p;
  try {
    p = await api('GET', `/api/procedures/${encodeURIComponent(code)}`);
  } catch (e) {
    $('h-procedure').textContent = 'Không tìm thấy thủ tục';
    $('proc-facts').replaceChildren(el('dd', { text: errorText(e) }));
    return;
  }
  S.proc = p;
  $('h-procedure').textContent = p.name;
  const dl = $('proc-facts');
  const fact = (k, v) => [el('dt', { text: k }), el('dd', { text: v })];
  dl.replaceChildren(
    ...fact('Mã thủ tục', p.code),
    ...fact('Lĩnh vực', p.sector),
    ...fact('Cơ quan thực hiện', p.agency),
    ...fact('Cấp thực hiện', p.levels.map((l) => LEVEL_VI[l] || l).join(', ')),
    ...fact('Mức độ dịch vụ công trực tuyến', `Mức độ ${p.online_level}` +
      (p.online_mode === 'full' ? ' (toàn trình)' : p.online_mode === 'partial' ? ' (một phần)' : '')),
    ...fact('Thời hạn giải quyết', `${p.deadline.value} ${p.deadline.unit === 'hours' ? 'giờ' : 'ngày'} làm việc`),
    ...fact('Kết quả', p.result_type || '—'));
  $('proc-docs').replaceChildren(...p.documents.map((d) => el('li', { class: 'card' },
    el('p', { text: d.name }),
    el('p', { class: 'muted', text: `${DOC_FORM_VI[d.form] || d.form} · ${d.count} bộ · ${d.submission === 'eform' ? 'khai trực tuyến' : 'đính kèm tệp'}` }),
    d.submission === 'eform' ? el('p', {}, el('a', {
      href: `/api/procedures/${encodeURIComponent(p.code)}/forms/${d.n}`, download: '',
      text: 'Tải mẫu đơn, tờ khai', 'aria-label': `Tải mẫu: ${d.name}`,
    })) : null)));
  $('proc-fees').replaceChildren(...(p.fees.length ? p.fees.map((f) => el('li', {
    text: `${f.name}: ${vnd(f.amount)}${f.kind === 'per_copy' ? ' mỗi bản' : f.kind === 'per_page' ? ' mỗi trang' : ''}${f.note ? ` (${f.note})` : ''}`,
  })) : [el('li', { text: 'Không thu phí' })]));
  $('proc-legal').replaceChildren(...p.legal_basis.map((x) => el('li', { text: x })));

  /* Levels 1-2 are information and forms; the library refuses online
   * submission below level 3 (DVC_ESERVICELEVEL) — the page just says so. */
  const online = p.online_level >= 3;
  $('proc-offline').hidden = online;
  $('proc-offline').textContent = online ? '' : `Thủ tục mức độ ${p.online_level}: tải mẫu đơn, tờ khai ở trên và nộp hồ sơ trực tiếp hoặc qua bưu chính tại Bộ phận Tiếp nhận và Trả kết quả.`;
  $('submit-form').hidden = !online;
  clearError($('submit-error'));
  buildEform(p);
  buildUploads(p);
  fillProfile();
}

const APPLICANT_KEYS = ['full_name', 'citizen_id', 'birth_date', 'address', 'phone', 'email'];

/* A signed-in citizen sees the form filled in with the account's profile
 * (GET /api/account, the library's dvc_account_json): read-only while
 * "use my profile" is ticked, since the library then fills the applicant
 * from that same profile; untick it to change a field for this dossier. */
async function fillProfile() {
  const account = S.actor && S.actor.kind === 'account';
  const use = account && $('use-profile').checked;
  $('use-profile-wrap').hidden = !account;
  for (const k of APPLICANT_KEYS) $(`a-${k}`).readOnly = use;
  $('applicant-fields').dataset.profile = use ? '1' : '';
  if (!account && S.profileShown) { /* signed out: nobody's profile stays on the page */
    for (const k of APPLICANT_KEYS) $(`a-${k}`).value = '';
    S.profileShown = null;
  }
  if (!account || S.profileShown === S.actor.username) return;
  let a;
  try { a = await api('GET', '/api/account'); } catch (e) { return; }
  for (const k of APPLICANT_KEYS) $(`a-${k}`).value = a.profile[k] || '';
  S.profileShown = a.username;
  $('applicant-fields').dataset.filled = a.username;
}

/* Inputs for the e-form schema's fields (eform.h's subset of JSON Schema). */
function buildEform(p) {
  const grid = $('eform-grid');
  grid.replaceChildren();
  const s = p.form_schema;
  const props = s && s.properties ? Object.entries(s.properties) : [];
  $('eform-fields').hidden = props.length === 0;
  const required = new Set((s && s.required) || []);
  for (const [name, f] of props) {
    const id = `f-${name}`;
    const label = el('label', { for: id, text: (f.title || name) + (required.has(name) ? ' *' : '') });
    let input;
    if (f.enum) {
      input = el('select', { id }, el('option', { value: '', text: '— chọn —' }),
        f.enum.map((v) => el('option', { value: String(v), text: String(v) })));
    } else if (f.type === 'boolean') {
      input = el('input', { id, type: 'checkbox' });
    } else if (f.type === 'integer' || f.type === 'number') {
      input = el('input', { id, type: 'number', step: f.type === 'integer' ? '1' : 'any', min: f.minimum, max: f.maximum });
    } else {
      input = el('input', { id, type: f.format === 'date' ? 'date' : f.format === 'email' ? 'email' : f.format === 'phone' ? 'tel' : 'text', maxlength: f.maxLength });
    }
    input.dataset.path = `form_data.${name}`;
    input.dataset.field = name;
    input.dataset.type = f.type;
    if (required.has(name)) input.required = true;
    if (f.description) input.setAttribute('aria-description', f.description);
    grid.append(el('div', { class: 'field' }, label, input));
  }
}

function buildUploads(p) {
  const list = $('upload-list');
  const docs = p.documents.map((d, i) => ({ d, i })).filter(({ d }) => d.submission === 'upload');
  $('upload-fields').hidden = docs.length === 0;
  list.replaceChildren(...docs.map(({ d, i }) => el('div', { class: 'field upload', 'data-component': String(i) },
    el('label', { for: `u-${i}`, text: d.name }),
    el('input', { id: `u-${i}`, type: 'file', accept: '.pdf,.jpg,.jpeg,.png,.tif,.tiff,application/pdf,image/jpeg,image/png,image/tiff', 'data-component': String(i), 'data-path': `files[${i}]`, 'aria-describedby': 'upload-hint' }),
    el('div', { class: 'reuse', hidden: true },
      el('label', { for: `r-${i}`, text: 'Hoặc dùng lại giấy tờ đã lưu' }),
      el('select', { id: `r-${i}`, 'data-component': String(i) })),
    el('progress', { id: `pg-${i}`, max: '100', value: '0', hidden: true, 'aria-label': `Tiến độ tải lên: ${d.name}` }),
    el('span', { class: 'muted', id: `pg-${i}-text`, 'aria-live': 'polite' }))));
  offerReuse();
}

/* The signed-in account's data store, offered beside each component. */
async function offerReuse() {
  const selects = [...$('upload-list').querySelectorAll('select[data-component]')];
  if (!(S.actor && S.actor.kind === 'account') || !selects.length) return;
  let stored;
  try { stored = await api('GET', '/api/account/files'); } catch (e) { return; }
  if (!stored.length) return;
  for (const sel of selects) {
    sel.replaceChildren(el('option', { value: '', text: '— không dùng lại —' }), ...stored.map((f) => el('option', {
      value: String(f.id), text: `${f.name} (${Math.ceil(f.size / 1024)} KB, ${FILE_FORM_VI[f.form] || f.form}, hồ sơ ${f.dossier || '—'})`,
    })));
    sel.parentElement.hidden = false;
  }
}

/* One file into one component, with progress (XMLHttpRequest: fetch reports
 * no upload progress). The body is the file itself; the library names,
 * sizes, types and journals it. */
function uploadFile(code, secret, component, file) {
  const bar = $(`pg-${component}`), text = $(`pg-${component}-text`);
  bar.hidden = false;
  bar.value = 0;
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    const q = new URLSearchParams({ component: String(component), name: file.name, size: String(file.size) });
    x.open('POST', `/api/dossiers/${encodeURIComponent(code)}/files?${q}`);
    x.setRequestHeader('X-CSRF-Token', S.csrf || '');
    if (secret) x.setRequestHeader('X-Tracking-Secret', secret);
    x.upload.onprogress = (e) => {
      if (!e.lengthComputable) return;
      bar.value = Math.round((100 * e.loaded) / e.total);
      text.textContent = `Đang tải lên ${bar.value}%`;
    };
    x.onload = () => {
      let data = null;
      try { data = JSON.parse(x.responseText); } catch (e) { data = null; }
      if (x.status >= 200 && x.status < 300) {
        bar.value = 100;
        text.textContent = `Đã tải lên: ${data.name} (${data.media_type})`;
        resolve(data);
      } else {
        text.textContent = 'Tải lên không thành công';
        const err = new ApiError(x.status, data && data.error);
        err.path = `files[${component}]`;
        reject(err);
      }
    };
    x.onerror = () => { text.textContent = 'Mất kết nối khi tải lên'; reject(new ApiError(0, { code: 'DVC_EIO', message: 'mất kết nối', text: 'Mất kết nối với cổng dịch vụ công' })); };
    x.send(file);
  });
}

function readBase64(file) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
  });
}

async function submitDossier(ev) {
  ev.preventDefault();
  const box = $('submit-error');
  clearError(box);
  const body = { procedure: S.proc.code };
  const account = S.actor && S.actor.kind === 'account';
  if (!account || !$('use-profile').checked) {
    body.applicant = {};
    for (const k of APPLICANT_KEYS) {
      const v = $(`a-${k}`).value.trim();
      if (v) body.applicant[k] = v;
    }
  }
  const form = {};
  for (const f of $('eform-grid').querySelectorAll('[data-field]')) {
    if (f.type === 'checkbox') { form[f.dataset.field] = f.checked; continue; }
    if (f.value === '') continue;
    form[f.dataset.field] = f.dataset.type === 'integer' || f.dataset.type === 'number' ? Number(f.value) : f.value;
  }
  if (Object.keys(form).length) body.form_data = form;
  const files = [...$('upload-list').querySelectorAll('input[type=file]')].filter((f) => f.files.length);
  const big = files.find((f) => f.files[0].size > MAX_UPLOAD);
  if (big) {
    showError(box, new ApiError(413, { code: 'DVC_ETOOBIG', message: `tệp ${big.files[0].name} vượt quá 20 MB`, path: big.dataset.path, text: 'Tệp quá lớn' }), $('submit-form'));
    return;
  }
  const reuse = [...$('upload-list').querySelectorAll('select[data-component]')].filter((s) => s.value);
  const btn = ev.submitter || $('submit-form').querySelector('button[type=submit]');
  btn.disabled = true;
  try {
    /* a draft first, then each file into its component, then the submission:
     * a refused file leaves the draft, fixed and sent again on the next try */
    let d = S.draft && S.draft.procedure === S.proc.code ? S.draft : null;
    if (!d) {
      const r = await api('POST', '/api/dossiers', Object.assign(body, { draft: true }));
      d = S.draft = { procedure: S.proc.code, code: r.code, secret: r.secret, done: new Set() };
    }
    for (const f of files) {
      const key = `${f.dataset.component}:${f.files[0].name}:${f.files[0].size}`;
      if (d.done.has(key)) continue;
      await uploadFile(d.code, d.secret, Number(f.dataset.component), f.files[0]);
      d.done.add(key);
    }
    for (const sel of reuse) {
      const key = `reuse:${sel.dataset.component}:${sel.value}`;
      if (d.done.has(key)) continue;
      await api('POST', `/api/dossiers/${encodeURIComponent(d.code)}/reuse`, { component: Number(sel.dataset.component), file: Number(sel.value) });
      d.done.add(key);
    }
    await api('POST', `/api/dossiers/${encodeURIComponent(d.code)}/actions`, { action: 'submit', secret: d.secret || undefined });
    S.draft = null;
    $('receipt-code').textContent = d.code;
    $('receipt-secret').textContent = d.secret || '(không cần: theo dõi bằng tài khoản)';
    $('receipt-track').href = `#/track/${encodeURIComponent(d.code)}`;
    if (d.secret) sessionStorage.setItem(`secret:${d.code}`, d.secret);
    $('submit-form').hidden = true;
    $('receipt').hidden = false;
    $('receipt').focus();
    announce(`Đã nộp hồ sơ ${d.code}`);
  } catch (e) {
    showError(box, e, $('submit-form'));
  } finally {
    btn.disabled = false;
  }
}

/* ---- tracking ---- */

function showTrackView(code) {
  if (code) {
    $('t-code').value = code;
    $('t-secret').value = sessionStorage.getItem(`secret:${code}`) || '';
  }
  $('track-result').hidden = true;
  clearError($('track-error'));
}

/* Working seconds as "2 giờ 15 phút làm việc". */
function hoursVi(sec) {
  const m = Math.floor((sec || 0) / 60);
  return `${Math.floor(m / 60)} giờ ${m % 60} phút làm việc`;
}

function actorVi(a) {
  if (!a || a === 'applicant') return 'Người nộp';
  return a.replace(/^officer:/, 'Cán bộ ').replace(/^account:/, 'Tài khoản ');
}

function historyList(t) {
  return el('ol', { class: 'timeline', 'aria-label': 'Quá trình xử lý' }, t.history.map((h) => el('li', {},
    el('p', {}, el('strong', { text: h.action_label || h.action }), ` → ${h.to_label}`),
    el('p', { class: 'muted', text: `${when(h.at)} · ${actorVi(h.actor)}${h.unit ? ` · ${h.unit}` : ''}` }),
    h.note ? el('p', { class: 'note', text: h.note }) : null)));
}

function trackingCard(t, secret) {
  const q = secret ? `?secret=${encodeURIComponent(secret)}` : '';
  const slipName = { receipt: 'Giấy tiếp nhận và hẹn trả kết quả', control: 'Phiếu kiểm soát quá trình', supplement: 'Phiếu yêu cầu bổ sung', refusal: 'Phiếu từ chối', apology: 'Phiếu xin lỗi và hẹn lại' };
  const fact = (k, v) => [el('dt', { text: k }), el('dd', { text: v })];
  return el('div', { class: 'card' },
    el('p', {}, el('span', { class: `badge s-${t.state}`, text: t.state_label }),
      t.overdue ? el('span', { class: 'badge late', text: 'Quá hạn' }) : null),
    el('dl', { class: 'facts' },
      ...fact('Mã hồ sơ', t.code),
      ...fact('Thủ tục', t.procedure_name || t.procedure),
      ...fact('Người nộp', t.applicant_name || '—'),
      ...(t.national_signin ? fact('Xác thực khi nộp', `Tài khoản định danh điện tử VNeID, mức ${t.national_signin}`) : []),
      ...(t.final ? [] : fact('Đang xử lý tại', `${t.unit_name || t.unit || '—'} (${t.step_role_label || t.step_role}, bước ${t.step}/${t.steps})`)),
      ...fact('Ngày nộp', when(t.submitted_at)),
      ...(t.final ? [] : [
        ...fact('Cán bộ xử lý', t.handler || 'Chưa phân công'),
        ...fact('Bắt đầu bước hiện tại', when(t.step_since)),
        ...fact('Hạn xử lý bước hiện tại', t.step_due_at ? when(t.step_due_at) + (t.step_overdue ? ' (đã quá hạn)' : '') : '—'),
        ...fact('Thời gian đã xử lý ở bước này', hoursVi(t.seconds_in_step))]),
      ...fact('Hẹn trả kết quả', t.rescheduled_due_at ? `${when(t.rescheduled_due_at)} (hẹn lại)` : when(t.due_at)),
      ...fact('Phí, lệ phí', t.fee_exemption ? `Miễn (${t.fee_exemption})` : t.fee_due === 0 ? 'Không phải nộp'
        : `Phải nộp ${vnd(t.fee_due)}, đã nộp ${vnd(t.fee_paid).replace('Miễn phí', '0 đồng')}${t.fee_refunded ? `, đã hoàn ${vnd(t.fee_refunded)}` : ''}`),
      ...(t.finished_at ? fact('Kết thúc', when(t.finished_at)) : [])),
    el('h3', { text: 'Quá trình xử lý' }), historyList(t),
    t.slips.length ? el('div', {}, el('h3', { text: 'Phiếu, giấy tờ' }), el('ul', {}, t.slips.map((k) => el('li', {},
      el('a', { href: `/api/dossiers/${encodeURIComponent(t.code)}/slips/${k}${q}`, target: '_blank', rel: 'noopener', text: slipName[k] || k }))))) : null,
    el('div', { class: 'files', 'data-files': t.code }));
}

/* The dossier's documents and result files, from the library (GET .../files). */
async function fillFiles(card, t, secret) {
  const box = card.querySelector('[data-files]');
  if (!box) return;
  const q = secret ? `?secret=${encodeURIComponent(secret)}` : '';
  let files;
  try {
    files = await api('GET', `/api/dossiers/${encodeURIComponent(t.code)}/files`, undefined,
      secret ? { 'X-Tracking-Secret': secret } : {});
  } catch (e) { box.replaceChildren(el('p', { class: 'error', text: errorText(e) })); return; }
  const current = files.filter((f) => !f.replaced_by);
  if (!current.length) return;
  const link = (f, text) => el('a', { href: `/api/dossiers/${encodeURIComponent(t.code)}/files/${f.id}${q}`, text });
  const docs = current.filter((f) => f.component !== 'result');
  const signed = current.filter((f) => f.component === 'result' && f.form === 'ecopy');
  box.replaceChildren(
    signed.length ? el('div', { class: 'result' }, el('h3', { text: 'Kết quả điện tử' }), el('ul', {}, signed.map((f) => el('li', {},
      link(f, 'Tải kết quả điện tử có chữ ký số'), el('span', { class: 'muted', text: ` · ${f.name}, ${Math.ceil(f.size / 1024)} KB, ký số lúc ${when(f.added_at)}` }))))) : '',
    docs.length ? el('h3', { text: 'Thành phần hồ sơ đã nộp' }) : '',
    docs.length ? el('ul', {}, docs.map((f) => el('li', {}, link(f, `${f.name} (${Math.ceil(f.size / 1024)} KB)`),
      el('span', { class: 'muted', text: ` · ${f.component_name} · ${FILE_FORM_VI[f.form] || f.form}` })))) : '');
}

/* After the return, the applicant (only) rates the service, once. */
async function fillRating(out, t, secret) {
  if (t.state !== 'returned') return;
  const h = secret ? { 'X-Tracking-Secret': secret } : {};
  const base = `/api/dossiers/${encodeURIComponent(t.code)}/rating`;
  const box = el('div', { class: 'card', id: 'rating' });
  out.append(box);
  const stars = (n) => `${n}/5`;
  if (t.history.some((x) => x.action === 'rate')) { /* rated already: the journal says so */
    try {
      const r = await api('GET', base, undefined, h);
      box.replaceChildren(el('h3', { text: 'Đánh giá mức độ hài lòng' }),
        el('p', { id: 'rating-done', text: `Đã đánh giá lúc ${when(r.at)}: tổng thể ${stars(r.scores.overall)}.` }),
        r.comment ? el('p', { class: 'note', text: r.comment }) : '');
    } catch (e) { box.remove(); }
    return;
  }
  if (!secret && !(S.actor && S.actor.kind === 'account')) { box.remove(); return; }
  let crit;
  try { crit = await api('GET', '/api/rating/criteria'); } catch (e) { box.remove(); return; }
  const shown = crit.criteria.filter((c) => ['overall', 'timeliness', 'attitude', 'online'].includes(c.name));
  const choices = [['', '— chọn —'], ['5', '5 – Rất hài lòng'], ['4', '4 – Hài lòng'], ['3', '3 – Bình thường'], ['2', '2 – Không hài lòng'], ['1', '1 – Rất không hài lòng']];
  const form = el('form', { id: 'rating-form', novalidate: true },
    el('h3', { text: 'Đánh giá mức độ hài lòng' }),
    el('p', { class: 'muted', text: 'Chỉ người nộp hồ sơ được đánh giá, một lần cho mỗi hồ sơ.' }),
    shown.map((c) => el('div', { class: 'field' }, el('label', { for: `rt-${c.name}`, text: c.label + (c.required ? ' *' : '') }),
      el('select', { id: `rt-${c.name}`, 'data-criterion': c.name, 'data-path': 'scores', required: c.required },
        choices.map(([v, l]) => el('option', { value: v, text: l }))))),
    el('div', { class: 'field' }, el('label', { for: 'rt-comment', text: 'Góp ý (không bắt buộc)' }),
      el('textarea', { id: 'rt-comment', maxlength: String(crit.comment_max), rows: '3' })),
    el('div', { id: 'rating-error', class: 'error', role: 'alert', hidden: true }),
    el('button', { type: 'submit', class: 'primary', text: 'Gửi đánh giá' }));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearError($('rating-error'));
    const scores = {};
    for (const sel of form.querySelectorAll('[data-criterion]')) if (sel.value) scores[sel.dataset.criterion] = Number(sel.value);
    const comment = $('rt-comment').value.trim();
    try {
      const r = await api('POST', base, { scores, comment: comment || undefined, secret: secret || undefined });
      box.replaceChildren(el('h3', { text: 'Đánh giá mức độ hài lòng' }),
        el('p', { id: 'rating-done', text: `Cảm ơn ông/bà đã đánh giá: tổng thể ${stars(r.scores.overall)}.` }));
      announce('Đã gửi đánh giá');
    } catch (e) { showError($('rating-error'), e, form); }
  });
  box.replaceChildren(form);
}

/* Level 4: the fee is paid online through the gateway (the library makes the request). */
function payButton(t, secret) {
  const owed = t.fee_due - t.fee_paid;
  if (t.final || owed <= 0 || t.fee_exemption || t.state === 'submitted' || t.state === 'draft') return '';
  const msg = el('p', { class: 'muted', 'aria-live': 'polite' });
  return el('div', {}, el('button', {
    type: 'button', class: 'primary', text: `Thanh toán trực tuyến ${vnd(owed)}`,
    onclick: async () => {
      try {
        const r = await api('POST', `/api/dossiers/${encodeURIComponent(t.code)}/payment`, { secret: secret || undefined });
        msg.textContent = `Mã thanh toán ${r.reference}, số tiền ${vnd(r.amount)}, hiệu lực đến ${when(r.expires_at)}: chuyển sang cổng thanh toán.`;
      } catch (e) { msg.textContent = errorText(e); }
    },
  }), msg);
}

async function track(ev) {
  if (ev) ev.preventDefault();
  const code = $('t-code').value.trim();
  const secret = $('t-secret').value.trim();
  const box = $('track-error');
  clearError(box);
  $('track-result').hidden = true;
  try {
    const t = await api('GET', `/api/dossiers/${encodeURIComponent(code)}`, undefined,
      secret ? { 'X-Tracking-Secret': secret } : {});
    S.lastTracked = { code, secret };
    const out = $('track-result');
    const acts = t.actions.filter((a) => a.action === 'withdraw');
    const card = trackingCard(t, secret);
    out.replaceChildren(card, ...acts.map((a) => el('button', {
      type: 'button', class: 'danger', text: a.label,
      onclick: () => applicantAct(t.code, secret, a),
    })));
    card.append(payButton(t, secret));
    await fillFiles(card, t, secret);
    await fillRating(out, t, secret);
    out.hidden = false;
    announce(`Hồ sơ ${t.code}: ${t.state_label}`);
  } catch (e) {
    $('track-result').hidden = true;
    showError(box, e);
  }
}

async function applicantAct(code, secret, a) {
  if (!confirm(`${a.label} ${code}?`)) return;
  try {
    await api('POST', `/api/dossiers/${encodeURIComponent(code)}/actions`, { action: a.action, secret: secret || undefined });
    await track();
  } catch (e) { showError($('track-error'), e); }
}

/* ---- citizen account ---- */

function showAccount() {
  const a = S.actor && S.actor.kind === 'account';
  $('account-in').hidden = !a;
  $('account-out').hidden = a;
  if (a) $('account-name').textContent = S.actor.username;
  // plain links: the sign-in leaves the page for the provider and comes back
  $('vneid-wrap').hidden = !S.vneid;
  $('vneid-link-wrap').hidden = !(S.vneid && a);
}

async function login(ev) {
  ev.preventDefault();
  clearError($('login-error'));
  try {
    setSession(await api('POST', '/api/login', { username: $('l-user').value, password: $('l-pass').value }));
    $('l-pass').value = '';
    showAccount();
    announce('Đã đăng nhập');
  } catch (e) { showError($('login-error'), e); }
}

async function register(ev) {
  ev.preventDefault();
  const box = $('register-error');
  clearError(box);
  const profile = {};
  for (const k of ['full_name', 'citizen_id', 'birth_date', 'address', 'phone', 'email']) {
    const v = $(`r-${k}`).value.trim();
    if (v) profile[k] = v;
  }
  try {
    await api('POST', '/api/accounts', { username: $('r-user').value.trim(), password: $('r-pass').value, profile });
    setSession(await api('POST', '/api/login', { username: $('r-user').value.trim(), password: $('r-pass').value }));
    $('r-pass').value = '';
    showAccount();
    announce('Đã đăng ký và đăng nhập');
  } catch (e) { showError(box, e, $('register-form')); }
}

async function logout() {
  setSession(await api('POST', '/api/logout'));
  showAccount();
  showOfficer();
  announce('Đã đăng xuất');
}

/* ---- officer desk ---- */

function showOfficer() {
  const o = S.actor && S.actor.kind === 'officer';
  $('officer-login').hidden = o;
  $('officer-desk').hidden = !o;
  if (o) {
    $('officer-who').textContent = `${S.actor.username} · ${S.actor.role_label || S.actor.role} · đơn vị ${S.actor.unit}`;
    loadInbox();
  }
}

async function officerLogin(ev) {
  ev.preventDefault();
  clearError($('officer-error'));
  try {
    setSession(await api('POST', '/api/officer/login', { username: $('o-user').value.trim(), token: $('o-token').value }));
    $('o-token').value = '';
    $('case').hidden = true;
    showOfficer();
    announce('Đã đăng nhập cán bộ');
  } catch (e) { showError($('officer-error'), e); }
}

async function loadInbox() {
  const q = $('show-final').checked ? '?all=1' : '';
  const ul = $('inbox');
  try {
    const r = await api('GET', `/api/officer/inbox${q}`);
    S.inbox = r.dossiers;
    $('inbox-count').textContent = `(${r.dossiers.length})`;
    ul.replaceChildren(...(r.dossiers.length ? r.dossiers.map((d) => el('li', { class: 'card row', 'data-code': d.code },
      el('div', {},
        el('p', {}, el('strong', { text: d.code }), ' ', el('span', { class: `badge s-${d.state}`, text: d.state_label }),
          d.overdue ? el('span', { class: 'badge late', text: 'Quá hạn' }) : null),
        el('p', { text: d.procedure_name || d.procedure }),
        el('p', { class: 'muted', text: `${d.applicant_name || ''} · nộp ${when(d.submitted_at)}${d.due_at ? ` · hẹn ${when(d.due_at)}` : ''}` })),
      el('button', { type: 'button', text: 'Xử lý', 'aria-label': `Xử lý hồ sơ ${d.code}`, onclick: () => openCase(d.code) })))
      : [el('li', { class: 'muted', text: 'Không có hồ sơ nào đang chờ tại đơn vị.' })]));
  } catch (e) {
    ul.replaceChildren(el('li', { class: 'error', text: errorText(e) }));
  }
}

async function openCase(code) {
  S.caseCode = code;
  const box = $('act-error');
  clearError(box);
  $('case').dataset.busy = '1'; /* until the case is drawn whole */
  try {
    const t = await api('GET', `/api/dossiers/${encodeURIComponent(code)}`);
    $('case-title').textContent = `Hồ sơ ${t.code}`;
    const card = trackingCard(t, null);
    $('case-body').replaceChildren(card, officerTools(t));
    const sel = $('act-action');
    sel.replaceChildren(...t.actions.map((a) => el('option', { value: a.action, text: a.label || a.action, 'data-needs': a.needs.join(' ') })));
    $('act-form').hidden = t.actions.length === 0;
    $('act-form').dataset.version = t.version;
    actionChanged();
    $('case').hidden = false;
    await fillFiles(card, t, null);
    $('case').focus();
  } catch (e) { showError(box, e); } finally { delete $('case').dataset.busy; }
}

/* What the desk and the signing leader do besides lifecycle actions: record
 * a fee paid at the counter; attach the result and sign it digitally. */
function officerTools(t) {
  const role = S.actor && S.actor.role;
  const code = encodeURIComponent(t.code);
  const box = el('div', { id: 'officer-tools' });
  const err = el('div', { class: 'error', role: 'alert', hidden: true });
  if (role === 'reception' && !t.final && t.fee_due > t.fee_paid && !t.fee_exemption && t.state !== 'submitted') {
    const f = el('form', { id: 'counter-form', class: 'card', novalidate: true },
      el('h3', { text: 'Thu phí, lệ phí tại quầy' }),
      el('div', { class: 'field' }, el('label', { for: 'cp-receipt', text: 'Số biên lai' }), el('input', { id: 'cp-receipt', required: true })),
      el('div', { class: 'field' }, el('label', { for: 'cp-amount', text: 'Số tiền (đồng)' }), el('input', { id: 'cp-amount', type: 'number', min: '1', value: String(t.fee_due - t.fee_paid) })),
      el('div', { class: 'field' }, el('label', { for: 'cp-method', text: 'Hình thức' }), el('select', { id: 'cp-method' },
        el('option', { value: 'cash', text: 'Tiền mặt' }), el('option', { value: 'card', text: 'Thẻ' }), el('option', { value: 'transfer', text: 'Chuyển khoản' }))),
      err, el('button', { type: 'submit', text: 'Ghi nhận đã thu' }));
    f.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        await api('POST', `/api/dossiers/${code}/counter-payment`, { receipt_no: $('cp-receipt').value.trim(), amount: Number($('cp-amount').value), method: $('cp-method').value });
        await openCase(t.code);
        announce('Đã ghi nhận khoản thu tại quầy');
      } catch (e) { showError(err, e); }
    });
    box.append(f);
  }
  if (role === 'signing_leader' && t.state === 'in_progress' && t.step_role === 'signing_leader') {
    const f = el('form', { id: 'result-form', class: 'card', novalidate: true },
      el('h3', { text: 'Kết quả giải quyết' }),
      el('div', { class: 'field upload' }, el('label', { for: 'u-result', text: 'Tệp kết quả (PDF)' }),
        el('input', { id: 'u-result', type: 'file', accept: '.pdf,application/pdf' }),
        el('progress', { id: 'pg-result', max: '100', value: '0', hidden: true, 'aria-label': 'Tiến độ tải lên kết quả' }),
        el('span', { class: 'muted', id: 'pg-result-text', 'aria-live': 'polite' })),
      err, el('button', { type: 'submit', text: 'Đính kèm và ký số' }));
    f.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearError(err);
      try {
        const file = $('u-result').files[0];
        if (file) await uploadFile(t.code, null, 'result', file);
        await api('POST', `/api/dossiers/${code}/sign`);
        await openCase(t.code);
        announce('Đã ký số kết quả');
      } catch (e) { showError(err, e); }
    });
    box.append(f);
  }
  return box;
}

function actionChanged() {
  const opt = $('act-action').selectedOptions[0];
  const needs = opt ? opt.dataset.needs.split(' ') : [];
  $('act-note').required = needs.includes('note');
  $('act-target-wrap').hidden = !needs.includes('target');
  $('act-due-wrap').hidden = !needs.includes('new_due');
  $('act-delivery-wrap').hidden = !needs.includes('delivery');
}

async function act(ev) {
  ev.preventDefault();
  const box = $('act-error');
  clearError(box);
  $('flash').hidden = true;
  const action = $('act-action').value;
  const label = $('act-action').selectedOptions[0] ? $('act-action').selectedOptions[0].text : action;
  const body = { action, expected_version: Number($('act-form').dataset.version) };
  const note = $('act-note').value.trim();
  if (note) body.note = note;
  if (!$('act-target-wrap').hidden && $('act-target').value.trim()) body.target = $('act-target').value.trim();
  if (!$('act-due-wrap').hidden && $('act-due').value) body.new_due = `${$('act-due').value}:00+07:00`;
  if (!$('act-delivery-wrap').hidden) body.delivery = $('act-delivery').value;
  try {
    const t = await api('POST', `/api/dossiers/${encodeURIComponent(S.caseCode)}/actions`, body);
    $('act-note').value = '';
    $('flash').textContent = `Đã thực hiện «${label}»: hồ sơ ${t.code} chuyển sang «${t.state_label}».`;
    $('flash').hidden = false;
    $('flash').className = 'flash ok';
    await loadInbox();
    await openCase(S.caseCode);
  } catch (e) { showError(box, e, $('act-form')); }
}

/* ---- start ---- */

document.addEventListener('DOMContentLoaded', async () => {
  $('search-form').addEventListener('submit', search);
  $('submit-form').addEventListener('submit', submitDossier);
  $('use-profile').addEventListener('change', fillProfile);
  $('track-form').addEventListener('submit', track);
  $('login-form').addEventListener('submit', login);
  $('register-form').addEventListener('submit', register);
  $('logout').addEventListener('click', logout);
  $('officer-login').addEventListener('submit', officerLogin);
  $('officer-logout').addEventListener('click', logout);
  $('inbox-refresh').addEventListener('click', loadInbox);
  $('show-final').addEventListener('change', loadInbox);
  $('act-action').addEventListener('change', actionChanged);
  $('act-form').addEventListener('submit', act);
  window.addEventListener('hashchange', route);
  await loadSession();
  route();
  search();
  document.body.dataset.ready = '1';
});
