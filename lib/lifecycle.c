/* The lifecycle table. Read it whole: every legal move of a dossier is one
 * row here, and nothing else in the library decides legality. */
#include "dvc/lifecycle.h"
#include "internal.h"

#include <string.h>

#define R(x) DVC_ROLE_BIT(DVC_ROLE_##x)
#define APPLICANT R(APPLICANT)
#define DESK (R(RECEPTION) | R(ADMIN))
/* Roles on route steps are checked against the step itself (DVC_REQ_AT_STEP). */
#define STEP (R(RECEPTION) | R(SPECIALIST) | R(UNIT_LEADER) | R(SIGNING_LEADER))
#define LEADERS (R(UNIT_LEADER) | R(SIGNING_LEADER) | R(ADMIN))

#define S(x) DVC_STATE_##x
#define A(x) DVC_ACT_##x

static const dvc_transition table[] = {
	/* from                     action                  to                        roles              requires                                   clock */
	{S(DRAFT),                A(SUBMIT),              S(SUBMITTED),             APPLICANT,         DVC_REQ_OWNER,                              0},
	{S(DRAFT),                A(WITHDRAW),            S(WITHDRAWN),             APPLICANT,         DVC_REQ_OWNER,                              0},

	{S(SUBMITTED),            A(RECEIVE),             S(RECEIVED),              DESK,              DVC_REQ_AT_STEP,                            0},
	{S(SUBMITTED),            A(REQUEST_SUPPLEMENT),  S(SUPPLEMENT_REQUESTED),  DESK,              DVC_REQ_AT_STEP | DVC_REQ_NOTE | DVC_REQ_ONCE, 0},
	{S(SUBMITTED),            A(REJECT),              S(REJECTED),              DESK,              DVC_REQ_AT_STEP | DVC_REQ_NOTE,             0},
	{S(SUBMITTED),            A(WITHDRAW),            S(WITHDRAWN),             APPLICANT,         DVC_REQ_OWNER,                              0},
	{S(SUBMITTED),            A(CANCEL),              S(CANCELLED),             R(ADMIN),          DVC_REQ_NOTE,                               0},

	{S(SUPPLEMENT_REQUESTED), A(SUPPLY),              S(SUBMITTED),             APPLICANT | DESK,  DVC_REQ_AT_DESK | DVC_REQ_FROM_INTAKE,      0},
	{S(SUPPLEMENT_REQUESTED), A(SUPPLY),              S(IN_PROGRESS),           APPLICANT | DESK,  DVC_REQ_AT_DESK | DVC_REQ_FROM_PROCESSING,  0},
	{S(SUPPLEMENT_REQUESTED), A(WITHDRAW),            S(WITHDRAWN),             APPLICANT,         DVC_REQ_OWNER,                              0},
	{S(SUPPLEMENT_REQUESTED), A(CANCEL),              S(CANCELLED),             DESK,              DVC_REQ_AT_DESK | DVC_REQ_NOTE,             0},

	{S(RECEIVED),             A(FORWARD),             S(IN_PROGRESS),           DESK,              DVC_REQ_AT_STEP,                            0},
	{S(RECEIVED),             A(ASSIGN),              S(RECEIVED),              DESK | LEADERS,    DVC_REQ_AT_UNIT | DVC_REQ_TARGET,           0},
	{S(RECEIVED),             A(REJECT),              S(REJECTED),              DESK,              DVC_REQ_AT_STEP | DVC_REQ_NOTE,             0},
	{S(RECEIVED),             A(RESCHEDULE),          S(RECEIVED),              DESK | LEADERS,    DVC_REQ_AT_UNIT | DVC_REQ_NOTE | DVC_REQ_ONCE | DVC_REQ_OVERDUE | DVC_REQ_NEW_DUE, 0},
	{S(RECEIVED),             A(WITHDRAW),            S(WITHDRAWN),             APPLICANT,         DVC_REQ_OWNER,                              0},

	{S(IN_PROGRESS),          A(FORWARD),             S(IN_PROGRESS),           STEP,              DVC_REQ_AT_STEP | DVC_REQ_NOT_LAST_STEP,    0},
	{S(IN_PROGRESS),          A(FORWARD),             S(RESULT_READY),          STEP,              DVC_REQ_AT_STEP | DVC_REQ_LAST_STEP,        0},
	{S(IN_PROGRESS),          A(SEND_BACK),           S(IN_PROGRESS),           STEP,              DVC_REQ_AT_STEP | DVC_REQ_NOT_FIRST | DVC_REQ_NOTE, 0},
	{S(IN_PROGRESS),          A(TRANSFER),            S(IN_PROGRESS),           STEP,              DVC_REQ_AT_STEP | DVC_REQ_TARGET | DVC_REQ_NOTE, 0},
	{S(IN_PROGRESS),          A(ASSIGN),              S(IN_PROGRESS),           LEADERS,           DVC_REQ_AT_UNIT | DVC_REQ_TARGET,           0},
	{S(IN_PROGRESS),          A(REQUEST_SUPPLEMENT),  S(SUPPLEMENT_REQUESTED),  STEP,              DVC_REQ_AT_STEP | DVC_REQ_NOTE | DVC_REQ_ONCE, 1},
	{S(IN_PROGRESS),          A(PAUSE),               S(PAUSED),                STEP,              DVC_REQ_AT_STEP | DVC_REQ_NOTE,             1},
	{S(IN_PROGRESS),          A(RESCHEDULE),          S(IN_PROGRESS),           STEP | LEADERS,    DVC_REQ_AT_UNIT | DVC_REQ_NOTE | DVC_REQ_ONCE | DVC_REQ_OVERDUE | DVC_REQ_NEW_DUE, 0},
	{S(IN_PROGRESS),          A(REJECT),              S(REJECTED),              STEP,              DVC_REQ_AT_STEP | DVC_REQ_NOTE,             0},
	{S(IN_PROGRESS),          A(WITHDRAW),            S(WITHDRAWN),             APPLICANT,         DVC_REQ_OWNER,                              0},

	{S(PAUSED),               A(RESUME),              S(IN_PROGRESS),           STEP,              DVC_REQ_AT_STEP,                            0},
	{S(PAUSED),               A(WITHDRAW),            S(WITHDRAWN),             APPLICANT,         DVC_REQ_OWNER,                              0},
	{S(PAUSED),               A(CANCEL),              S(CANCELLED),             R(ADMIN),          DVC_REQ_NOTE,                               0},

	{S(RESULT_READY),         A(RETURN),              S(RETURNED),              DESK,              DVC_REQ_AT_STEP,                            0},
};

const dvc_transition *dvc_lifecycle_table(size_t *n)
{
	if (n)
		*n = DVC_ARRAY_LEN(table);
	return table;
}

int dvc_state_is_final(dvc_state s)
{
	return s == DVC_STATE_RETURNED || s == DVC_STATE_REJECTED || s == DVC_STATE_WITHDRAWN ||
	       s == DVC_STATE_CANCELLED;
}

int dvc_action_is_record(dvc_action a)
{
	return a == DVC_ACT_PAY || a == DVC_ACT_REFUND || a == DVC_ACT_ATTACH || a == DVC_ACT_SIGN ||
	       a == DVC_ACT_RATE || a == DVC_ACT_ERASE;
}

static const char *const state_names[DVC_STATE_COUNT] = {
	"draft", "submitted", "received", "supplement_requested", "in_progress", "paused",
	"result_ready", "returned", "rejected", "withdrawn", "cancelled"};
static const char *const state_labels[DVC_STATE_COUNT] = {
	"Hồ sơ nháp", "Chờ tiếp nhận", "Đã tiếp nhận", "Chờ bổ sung", "Đang xử lý", "Tạm dừng",
	"Có kết quả", "Đã trả kết quả", "Từ chối", "Đã rút", "Đã hủy"};
static const char *const action_names[DVC_ACTION_COUNT] = {
	"submit", "receive", "request_supplement", "supply", "forward", "send_back", "transfer",
	"assign", "pause", "resume", "reschedule", "reject", "return", "withdraw", "cancel", "pay",
	"refund", "attach", "sign", "rate", "erase"};
static const char *const role_names[DVC_ROLE_COUNT] = {
	"applicant", "reception", "specialist", "unit_leader", "signing_leader", "admin"};

DVC__ENUM_NAMES(state, dvc_state, state_names, "state")
DVC__ENUM_NAMES(action, dvc_action, action_names, "action")
DVC__ENUM_NAMES(role, dvc_role, role_names, "role")

/* What people read on the portal's pages (the example page's words until
 * 2026-12-06, moved here so that every front end says the same). */
static const char *const action_labels[DVC_ACTION_COUNT] = {
	"Nộp hồ sơ", "Tiếp nhận hồ sơ", "Yêu cầu bổ sung", "Đã bổ sung giấy tờ",
	"Chuyển bước tiếp theo", "Trả lại bước trước", "Chuyển liên thông", "Phân công xử lý",
	"Tạm dừng", "Tiếp tục xử lý", "Xin lỗi và hẹn lại", "Từ chối", "Trả kết quả", "Rút hồ sơ",
	"Hủy hồ sơ", "Thanh toán", "Hoàn phí", "Nộp, bổ sung tệp", "Ký số kết quả",
	"Đánh giá mức độ hài lòng", "Xóa dữ liệu cá nhân hết thời hạn lưu trữ"};
static const char *const role_labels[DVC_ROLE_COUNT] = {
	"Người nộp", "Cán bộ tiếp nhận", "Chuyên viên", "Lãnh đạo phòng", "Lãnh đạo ký duyệt",
	"Quản trị"};

const char *dvc_state_label_vi(dvc_state s)
{
	return dvc__enum_name(state_labels, DVC_ARRAY_LEN(state_labels), (int)s);
}

const char *dvc_action_label_vi(dvc_action a)
{
	return dvc__enum_name(action_labels, DVC_ARRAY_LEN(action_labels), (int)a);
}

const char *dvc_role_label_vi(dvc_role r)
{
	return dvc__enum_name(role_labels, DVC_ARRAY_LEN(role_labels), (int)r);
}

int dvc_lifecycle_dot(char **out)
{
	dvc_buf b = DVC_BUF_INIT;
	if (!out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_lifecycle_dot needs an out pointer");
	dvc_buf_puts(&b, "digraph dossier {\n  rankdir=LR;\n  node [shape=box, style=rounded];\n");
	for (int s = 0; s < DVC_STATE_COUNT; s++)
		dvc_buf_printf(&b, "  %s [label=\"%s\\n%s\"%s];\n", state_names[s], state_names[s],
			       state_labels[s], dvc_state_is_final((dvc_state)s) ? ", peripheries=2" : "");
	for (size_t i = 0; i < DVC_ARRAY_LEN(table); i++) {
		const dvc_transition *t = &table[i];
		dvc_buf_printf(&b, "  %s -> %s [label=\"%s", state_names[t->from], state_names[t->to],
			       action_names[t->action]);
		if (t->requires & DVC_REQ_LAST_STEP)
			dvc_buf_puts(&b, " (last step)");
		if (t->requires & DVC_REQ_FROM_INTAKE)
			dvc_buf_puts(&b, " (from intake)");
		if (t->requires & DVC_REQ_FROM_PROCESSING)
			dvc_buf_puts(&b, " (from processing)");
		dvc_buf_puts(&b, "\\n[");
		int first = 1;
		for (int r = 0; r < DVC_ROLE_COUNT; r++)
			if (t->roles & DVC_ROLE_BIT(r)) {
				dvc_buf_printf(&b, "%s%s", first ? "" : ",", role_names[r]);
				first = 0;
			}
		dvc_buf_printf(&b, "]\"%s];\n", t->stops_clock ? ", style=dashed" : "");
	}
	dvc_buf_puts(&b, "}\n");
	return dvc_buf_finish(&b, DVC_OK, out, NULL);

}
