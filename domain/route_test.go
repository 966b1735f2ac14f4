package domain_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/thidua/thidua/domain"
)

// fieldOf is the field and code an error names ("" when nil).
func fieldOf(err error) (string, string) {
	var e *domain.Error
	if errors.As(err, &e) {
		return e.Field, string(e.Code)
	}
	if err != nil {
		return "?", err.Error()
	}
	return "", ""
}

// errField is the field an error names: "" when nil, "?" when the error is
// not a domain error.
func errField(err error) string {
	f, _ := fieldOf(err)
	return f
}

// centralDossier is a vetted Lạng Sơn dossier for the President: two
// recipients for the Huân chương Lao động, SECOND and THIRD class.
func centralDossier() *domain.Dossier {
	return &domain.Dossier{ID: "d-1", Owner: "lang-son", ProvinceID: "lang-son", Kind: domain.KindRegular, Authority: "PRESIDENT",
		Year: 2025, Status: domain.DossierVetted, History: []domain.DossierEvent{{Status: domain.DossierVetted}},
		Letter:  &domain.Decision{Number: "12/TTr-SNV", Date: "2026-03-02"},
		Council: &domain.Council{Date: "2026-03-20", MembersPresent: 9, MembersTotal: 10},
		Recipients: []domain.DossierRecipient{
			{HonoreeID: "h-1", ProvinceID: "lang-son", AwardTypeID: "huan-chuong-lao-dong", Class: "SECOND", Achievement: "x",
				Recipient: domain.Recipient{Kind: "INDIVIDUAL", Name: "Nguyễn Văn An"}},
			{ProvinceID: "lang-son", AwardTypeID: "huan-chuong-lao-dong", Class: "THIRD", Achievement: "y",
				Recipient: domain.Recipient{Kind: "INDIVIDUAL", Name: "Hoàng Thị Mai"}},
		}}
}

// The long route (Law 06/2022/QH15, Điều 83–84): a province's dossier for
// a central authority is vetted at its province, forwarded by the chair,
// vetted again at "*"; each level returns with reasons; the level that acts
// follows the dossier.
func TestRouteMovesAndLevels(t *testing.T) {
	letter := domain.DecisionInput{Number: "45/TTr-UBND", Date: "2026-03-25"}
	cases := []struct {
		name      string
		from      string
		forwarded bool
		authority string
		do        func(d *domain.Dossier) (*domain.Dossier, error)
		wantErr   string // field; "" for success
		status    string
		level     string
	}{
		{"province vets a central dossier", domain.DossierSubmitted, false, "PRESIDENT",
			func(d *domain.Dossier) (*domain.Dossier, error) {
				return domain.Move(d, domain.DossierVetted, nil, "u", at)
			}, "", domain.DossierVetted, "lang-son"},
		{"the chair forwards (Điều 84)", domain.DossierVetted, false, "PRESIDENT",
			func(d *domain.Dossier) (*domain.Dossier, error) { return domain.Forward(at, d, letter, "chair") }, "", domain.DossierForwarded, "*"},
		{"forwarding is not a plain move", domain.DossierVetted, false, "PRESIDENT",
			func(d *domain.Dossier) (*domain.Dossier, error) {
				return domain.Move(d, domain.DossierForwarded, nil, "u", at)
			}, "id", "", ""},
		{"a provincial dossier is not forwarded", domain.DossierVetted, false, "PROVINCE_CHAIR",
			func(d *domain.Dossier) (*domain.Dossier, error) { return domain.Forward(at, d, letter, "chair") }, "id", "", ""},
		{"a submitted dossier is not forwarded", domain.DossierSubmitted, false, "PRIME_MINISTER",
			func(d *domain.Dossier) (*domain.Dossier, error) { return domain.Forward(at, d, letter, "chair") }, "id", "", ""},
		{"the central office vets a forwarded dossier", domain.DossierForwarded, true, "PRESIDENT",
			func(d *domain.Dossier) (*domain.Dossier, error) {
				return domain.Move(d, domain.DossierVetted, nil, "u", at)
			}, "", domain.DossierVetted, "*"},
		{"the central office returns it to the province", domain.DossierForwarded, true, "MINISTER",
			func(d *domain.Dossier) (*domain.Dossier, error) {
				return domain.Move(d, domain.DossierReturned, []string{"Thiếu biên bản"}, "u", at)
			}, "", domain.DossierReturned, "lang-son"},
		{"returning needs reasons at the central level too", domain.DossierForwarded, true, "MINISTER",
			func(d *domain.Dossier) (*domain.Dossier, error) {
				return domain.Move(d, domain.DossierReturned, nil, "u", at)
			}, "reasons", "", ""},
		{"the province returns a vetted dossier waiting for the chair", domain.DossierVetted, false, "GOVERNMENT",
			func(d *domain.Dossier) (*domain.Dossier, error) {
				return domain.Move(d, domain.DossierReturned, []string{"Ghi kết quả Hội đồng"}, "u", at)
			}, "", domain.DossierReturned, "lang-son"},
		{"a centrally vetted dossier is not returned", domain.DossierVetted, true, "GOVERNMENT",
			func(d *domain.Dossier) (*domain.Dossier, error) {
				return domain.Move(d, domain.DossierReturned, []string{"x"}, "u", at)
			}, "id", "", ""},
		{"a provincial vetted dossier is not returned", domain.DossierVetted, false, "PROVINCE_CHAIR",
			func(d *domain.Dossier) (*domain.Dossier, error) {
				return domain.Move(d, domain.DossierReturned, []string{"x"}, "u", at)
			}, "id", "", ""},
		{"the central decider rejects a forwarded dossier", domain.DossierForwarded, true, "PRESIDENT",
			func(d *domain.Dossier) (*domain.Dossier, error) {
				return domain.Move(d, domain.DossierRejected, []string{"x"}, "u", at)
			}, "", domain.DossierRejected, "*"},
		{"the chair declines to forward", domain.DossierVetted, false, "PRESIDENT",
			func(d *domain.Dossier) (*domain.Dossier, error) {
				return domain.Move(d, domain.DossierRejected, []string{"x"}, "u", at)
			}, "", domain.DossierRejected, "lang-son"},
	}
	for _, c := range cases {
		d := centralDossier()
		d.Authority, d.Status = c.authority, c.from
		if c.forwarded {
			d.Forward = &domain.Forwarding{Letter: domain.Decision{Number: "45/TTr-UBND", Date: "2026-03-25"}}
		}
		got, err := c.do(d)
		if field, _ := fieldOf(err); field != c.wantErr {
			t.Errorf("%s: error %v, want one on %q", c.name, err, c.wantErr)
			continue
		}
		if err == nil && (got.Status != c.status || got.Level() != c.level || got.History[len(got.History)-1].Status != c.status) {
			t.Errorf("%s: status %s level %s, want %s at %s", c.name, got.Status, got.Level(), c.status, c.level)
		}
	}
	// The cluster's dossiers for a central authority are "*"'s from the start.
	if l := (&domain.Dossier{Owner: "*", Authority: "PRIME_MINISTER"}).Level(); l != "*" {
		t.Errorf("the cluster's dossier's level: %s", l)
	}
}

// The chair's letter (Law 06/2022/QH15, Điều 84): the provincial council's
// result on the dossier, dated on or after the dossier's letter and the
// council's meeting.
func TestForwardLetter(t *testing.T) {
	cases := []struct {
		name   string
		mod    func(d *domain.Dossier, l *domain.DecisionInput)
		field  string
		forbid bool
	}{
		{"ok", func(*domain.Dossier, *domain.DecisionInput) {}, "", false},
		{"no council result", func(d *domain.Dossier, _ *domain.DecisionInput) { d.Council = nil }, "council", false},
		{"before the dossier's letter", func(_ *domain.Dossier, l *domain.DecisionInput) { l.Date = "2026-03-01" }, "letter.date", false},
		{"before the council", func(_ *domain.Dossier, l *domain.DecisionInput) { l.Date = "2026-03-19" }, "letter.date", false},
		{"on the council's day", func(_ *domain.Dossier, l *domain.DecisionInput) { l.Date = "2026-03-20" }, "", false},
		{"blank number", func(_ *domain.Dossier, l *domain.DecisionInput) { l.Number = " " }, "letter.number", false},
		{"in the future", func(_ *domain.Dossier, l *domain.DecisionInput) { l.Date = "2027-01-01" }, "letter.date", false},
	}
	for _, c := range cases {
		d, l := centralDossier(), domain.DecisionInput{Number: "45/TTr-UBND", Date: "2026-03-25"}
		c.mod(d, &l)
		got, err := domain.Forward(at, d, l, "chair")
		if field, _ := fieldOf(err); field != c.field {
			t.Errorf("%s: %v, want an error on %q", c.name, err, c.field)
		}
		if err == nil && (got.Forward == nil || got.Forward.Letter.Number != "45/TTr-UBND" || got.Forward.By != "chair") {
			t.Errorf("%s: the letter is not kept: %+v", c.name, got.Forward)
		}
	}
}

// Working days: Monday to Friday, public holidays (data) left out, both
// ends included (Decree 98/2023 Art. 46(2): "ít nhất 10 ngày làm việc").
func TestWorkingDays(t *testing.T) {
	cases := []struct {
		from, to string
		holidays []string
		want     int
	}{
		{"2026-03-02", "2026-03-13", nil, 10},                       // Monday to the Friday after
		{"2026-03-02", "2026-03-12", nil, 9},                        // one short
		{"2026-03-07", "2026-03-08", nil, 0},                        // a weekend
		{"2026-04-27", "2026-05-08", []string{"04-30", "05-01"}, 8}, // yearly holidays
		{"2026-04-27", "2026-05-08", []string{"2026-04-30"}, 9},     // a dated holiday
		{"2026-02-16", "2026-02-27", []string{"2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20"}, 5}, // Tết 2026, as data
		{"2026-03-13", "2026-03-02", nil, 0}, // reversed
		{"2026-03-02", "2026-03-02", nil, 1},
	}
	for _, c := range cases {
		if got := domain.WorkingDays(c.from, c.to, c.holidays); got != c.want {
			t.Errorf("WorkingDays(%s, %s, %v) = %d, want %d", c.from, c.to, c.holidays, got, c.want)
		}
	}
}

// The public notice (Decree 98/2023/NĐ-CP Art. 46(2); Decree 152/2025/NĐ-CP
// Art. 44): for an order or a state honorary title, at least 10 working
// days, ending before the council meets.
func TestPublicNotice(t *testing.T) {
	ref := testRef()
	ok := &domain.Notice{From: "2026-03-02", To: "2026-03-13"} // 10 working days; council 2026-03-20
	cases := []struct {
		name      string
		awardType string
		notice    *domain.Notice
		council   *domain.Council
		field     string
	}{
		{"an order with its notice", "huan-chuong-lao-dong", ok, nil, ""},
		{"an order without", "huan-chuong-lao-dong", nil, nil, "input.notice"},
		{"a state honorary title without", "anh-hung-lao-dong", nil, nil, "input.notice"},
		{"9 working days", "huan-chuong-lao-dong", &domain.Notice{From: "2026-03-02", To: "2026-03-12"}, nil, "input.notice"},
		{"10 calendar days, 6 working", "huan-chuong-lao-dong", &domain.Notice{From: "2026-03-05", To: "2026-03-14"}, nil, "input.notice"},
		{"ending on the council's day", "huan-chuong-lao-dong", &domain.Notice{From: "2026-03-09", To: "2026-03-20"}, nil, "input.notice.to"},
		{"ending after the council", "huan-chuong-lao-dong", &domain.Notice{From: "2026-03-10", To: "2026-03-23"}, nil, "input.notice.to"},
		{"no council to end before", "huan-chuong-lao-dong", ok, &domain.Council{}, "input.council"},
		{"a certificate needs none", "bang-khen-thu-tuong", nil, nil, ""},
		{"an emulation title needs none (not confirmed: data)", "chien-si-thi-dua-toan-quoc", nil, nil, ""},
	}
	for _, c := range cases {
		d := centralDossier()
		d.Recipients = d.Recipients[1:]
		d.Recipients[0].AwardTypeID, d.Notice = c.awardType, c.notice
		if c.council != nil {
			d.Council = nil
		}
		err := domain.CheckNotice(ref, domain.DefaultRouteRules, d)
		if field, code := fieldOf(err); field != c.field || err != nil && code != "BAD_USER_INPUT" {
			t.Errorf("%s: %v, want an error on %q", c.name, err, c.field)
		}
	}
	// The rule is data: a rule naming the type needs the notice.
	rules := domain.DefaultRouteRules
	rules.Notice.AwardTypes = []string{"chien-si-thi-dua-toan-quoc"}
	d := centralDossier()
	d.Recipients[0].AwardTypeID, d.Recipients = "chien-si-thi-dua-toan-quoc", d.Recipients[:1]
	if field, _ := fieldOf(domain.CheckNotice(ref, rules, d)); field != "input.notice" {
		t.Errorf("a type the rule names: %q, want input.notice", field)
	}
}

// Lower forms: a lower class of the same type, or a type ranked below in
// the ranking data; never higher, never another chain.
func TestNotHigher(t *testing.T) {
	ranks := domain.DefaultRouteRules.Ranks
	cases := []struct {
		fromType, fromClass, toType, toClass string
		want                                 bool
	}{
		{"huan-chuong-lao-dong", "SECOND", "huan-chuong-lao-dong", "SECOND", true},
		{"huan-chuong-lao-dong", "SECOND", "huan-chuong-lao-dong", "THIRD", true},
		{"huan-chuong-lao-dong", "SECOND", "huan-chuong-lao-dong", "FIRST", false},
		{"huan-chuong-doc-lap", "THIRD", "huan-chuong-lao-dong", "FIRST", true},
		{"huan-chuong-lao-dong", "FIRST", "huan-chuong-doc-lap", "THIRD", false},
		{"huan-chuong-lao-dong", "THIRD", "huan-chuong-chien-cong", "THIRD", false},
		{"chien-si-thi-dua-toan-quoc", "", "bang-khen-thu-tuong", "", true},
		{"bang-khen-thu-tuong", "", "chien-si-thi-dua-toan-quoc", "", false},
		{"co-thi-dua-tinh", "", "bang-khen-chu-tich-tinh", "", true},
	}
	for _, c := range cases {
		if got := domain.NotHigher(ranks, c.fromType, c.fromClass, c.toType, c.toClass); got != c.want {
			t.Errorf("%s %s → %s %s: %t, want %t", c.fromType, c.fromClass, c.toType, c.toClass, got, c.want)
		}
	}
}

// Decisions on the route: only a forwarded (and centrally vetted) dossier
// for a central authority; dated on or after the letter it answers; the
// President's with the Prime Minister's submission (Law 06/2022 Điều 83
// khoản 2); a subset or lower forms, never higher; one award per honoree.
func TestDecideOnTheRoute(t *testing.T) {
	ref := testRef()
	c2, c1 := "THIRD", "FIRST"
	forwarded := func(d *domain.Dossier) {
		d.Forward = &domain.Forwarding{Letter: domain.Decision{Number: "45/TTr-UBND", Date: "2026-03-25"}}
	}
	base := func() domain.DecisionRecordInput {
		return domain.DecisionRecordInput{DossierID: "d-1", Number: "567/QĐ-CTN", Date: "2026-05-10", IssuedBy: "Chủ tịch nước",
			Signer:     domain.SignerInput{Name: "Lương Cường"},
			Submission: &domain.DecisionInput{Number: "301/TTr-CP", Date: "2026-04-20"}}
	}
	cases := []struct {
		name     string
		dossier  func(d *domain.Dossier)
		input    func(in *domain.DecisionRecordInput)
		field    string
		awards   int
		conferee []string // award type and class of each award
	}{
		{"all as proposed", forwarded, func(*domain.DecisionRecordInput) {}, "", 2, []string{"SECOND", "THIRD"}},
		{"not forwarded", func(*domain.Dossier) {}, func(*domain.DecisionRecordInput) {}, "input.dossierId", 0, nil},
		{"before the chair's letter", forwarded, func(in *domain.DecisionRecordInput) {
			in.Date, in.Submission.Date = "2026-03-24", "2026-03-24"
		}, "input.date", 0, nil},
		{"before the Prime Minister's submission", forwarded, func(in *domain.DecisionRecordInput) { in.Date = "2026-04-19" }, "input.date", 0, nil},
		{"the submission before the chair's letter", forwarded, func(in *domain.DecisionRecordInput) { in.Submission.Date = "2026-03-24" },
			"input.submission.date", 0, nil},
		{"the President's without the submission", forwarded, func(in *domain.DecisionRecordInput) { in.Submission = nil }, "input.submission", 0, nil},
		{"the Prime Minister's needs none", func(d *domain.Dossier) {
			forwarded(d)
			d.Authority = "PRIME_MINISTER"
			for i := range d.Recipients {
				d.Recipients[i].AwardTypeID, d.Recipients[i].Class = "bang-khen-thu-tuong", ""
			}
		}, func(in *domain.DecisionRecordInput) { in.Submission = nil }, "", 2, []string{"", ""}},
		{"a subset, one lowered", forwarded, func(in *domain.DecisionRecordInput) {
			in.Recipients = []domain.DecidedRecipientInput{{Index: 0, AwardTypeID: "huan-chuong-lao-dong", Class: &c2}}
		}, "", 1, []string{"THIRD"}},
		{"a higher class", forwarded, func(in *domain.DecisionRecordInput) {
			in.Recipients = []domain.DecidedRecipientInput{{Index: 1, AwardTypeID: "huan-chuong-lao-dong", Class: &c1}}
		}, "input.recipients[0].awardTypeId", 0, nil},
		{"another order", forwarded, func(in *domain.DecisionRecordInput) {
			in.Recipients = []domain.DecidedRecipientInput{{Index: 1, AwardTypeID: "huan-chuong-chien-cong", Class: &c2}}
		}, "input.recipients[0].awardTypeId", 0, nil},
		{"an index out of range", forwarded, func(in *domain.DecisionRecordInput) {
			in.Recipients = []domain.DecidedRecipientInput{{Index: 2, AwardTypeID: "huan-chuong-lao-dong", Class: &c2}}
		}, "input.recipients[0].index", 0, nil},
		{"a recipient twice", forwarded, func(in *domain.DecisionRecordInput) {
			in.Recipients = []domain.DecidedRecipientInput{{Index: 1, AwardTypeID: "huan-chuong-lao-dong", Class: &c2},
				{Index: 1, AwardTypeID: "huan-chuong-lao-dong", Class: &c2}}
		}, "input.recipients[1].index", 0, nil},
		{"nobody", forwarded, func(in *domain.DecisionRecordInput) { in.Recipients = []domain.DecidedRecipientInput{} }, "input.recipients", 0, nil},
		{"the same honoree twice in the dossier", func(d *domain.Dossier) {
			forwarded(d)
			d.Recipients[1].HonoreeID = "h-1"
		}, func(*domain.DecisionRecordInput) {}, "input.recipients", 0, nil},
		{"the short route answers the dossier's own letter", func(d *domain.Dossier) {
			d.Authority = "PROVINCE_CHAIR"
			for i := range d.Recipients {
				d.Recipients[i].AwardTypeID, d.Recipients[i].Class = "bang-khen-chu-tich-tinh", ""
			}
		}, func(in *domain.DecisionRecordInput) { in.Submission, in.Date = nil, "2026-03-01" }, "input.date", 0, nil},
	}
	for _, c := range cases {
		d := centralDossier()
		c.dossier(d)
		in := base()
		c.input(&in)
		dec, awards, err := domain.Decide(ref, at, d, in, "u-1")
		if field, _ := fieldOf(err); field != c.field {
			t.Errorf("%s: %v, want an error on %q", c.name, err, c.field)
			continue
		}
		if err != nil {
			continue
		}
		if len(awards) != c.awards {
			t.Errorf("%s: %d awards, want %d", c.name, len(awards), c.awards)
			continue
		}
		for i, a := range awards {
			if a.Class != c.conferee[i] {
				t.Errorf("%s: award %d class %q, want %q", c.name, i, a.Class, c.conferee[i])
			}
			a.ID = "a-" + a.Class
		}
		dec.ID = "dec-1"
		got, err := domain.Link(d, dec, awards, "u-1", at)
		if err != nil {
			t.Fatalf("%s: link: %v", c.name, err)
		}
		if c.name == "a subset, one lowered" {
			if got.Recipients[0].AwardID != "a-THIRD" || got.Recipients[1].AwardID != "" {
				t.Errorf("%s: recipients linked %q %q", c.name, got.Recipients[0].AwardID, got.Recipients[1].AwardID)
			}
			notes := strings.Join(got.History[len(got.History)-1].Reasons, "; ")
			if !strings.Contains(notes, "Hoàng Thị Mai") || !strings.Contains(notes, "not conferred") || !strings.Contains(notes, "instead of") {
				t.Errorf("%s: the history does not say what was not conferred or lowered: %q", c.name, notes)
			}
		}
		if c.name == "all as proposed" && dec.Submission == nil {
			t.Errorf("the President's decision does not keep the submission")
		}
	}
}

// One award per honoree per decision: the same decision (authority, date,
// number as printed) recorded on a second dossier conflicts for an honoree
// it already conferred on.
func TestOneAwardPerHonoree(t *testing.T) {
	dec := &domain.DecisionRecord{Number: "567/QĐ-CTN", Date: "2026-05-10", Authority: "PRESIDENT"}
	for _, c := range []struct {
		other *domain.DecisionRecord
		same  bool
	}{
		{&domain.DecisionRecord{Number: " 567/qđ-ctn", Date: "2026-05-10", Authority: "PRESIDENT"}, true},
		{&domain.DecisionRecord{Number: "567/QĐ-CTN", Date: "2026-05-11", Authority: "PRESIDENT"}, false},
		{&domain.DecisionRecord{Number: "567/QĐ-CTN", Date: "2026-05-10", Authority: "PRIME_MINISTER"}, false},
		{&domain.DecisionRecord{Number: "568/QĐ-CTN", Date: "2026-05-10", Authority: "PRESIDENT"}, false},
	} {
		if got := domain.SameDecision(dec, c.other); got != c.same {
			t.Errorf("SameDecision(%+v): %t, want %t", c.other, got, c.same)
		}
	}
	had := []domain.Award{{ID: "a-1", HonoreeID: "h-1", ProvinceID: "lang-son", Recipient: domain.Recipient{Kind: "INDIVIDUAL", Name: "An"}},
		{ID: "a-2", ProvinceID: "lang-son", Recipient: domain.Recipient{Kind: "INDIVIDUAL", Name: "Hoàng Thị Mai"}}}
	for _, c := range []struct {
		name string
		a    domain.Award
		ok   bool
	}{
		{"the same honoree record", domain.Award{HonoreeID: "h-1", ProvinceID: "lang-son"}, false},
		{"the same name, no record", domain.Award{ProvinceID: "lang-son", Recipient: domain.Recipient{Kind: "INDIVIDUAL", Name: "hoang thi mai"}}, false},
		{"another honoree", domain.Award{HonoreeID: "h-2", ProvinceID: "lang-son"}, true},
		{"the same name elsewhere", domain.Award{ProvinceID: "cao-bang", Recipient: domain.Recipient{Kind: "INDIVIDUAL", Name: "Hoàng Thị Mai"}}, true},
	} {
		a := c.a
		err := domain.OneAwardPerHonoree(dec, had, []*domain.Award{&a})
		if field, code := fieldOf(err); (err == nil) != c.ok || err != nil && (field != "input.number" || code != "CONFLICT") {
			t.Errorf("%s: %v, want ok=%t (CONFLICT on input.number)", c.name, err, c.ok)
		}
	}
}
