package seed

import "github.com/thidua/thidua/domain"

// The award-type catalogue: the forms a province handles, who decides each
// by the date of the decision, and the article that says so. What the
// text confirmed and what it did not is in the docs/domain.md ("The law behind
// the rules"); every entry is data a `*` admin can correct (saveAwardType).

const (
	law2022     = "Luật Thi đua, khen thưởng số 06/2022/QH15"
	art77       = law2022 + ", Điều 77 (Chủ tịch nước)"
	art78k1     = law2022 + ", Điều 78 khoản 1 (Chính phủ)"
	art78k2     = law2022 + ", Điều 78 khoản 2 (Thủ tướng Chính phủ)"
	art80k1     = law2022 + ", Điều 80 khoản 1 (thủ trưởng cơ quan, đơn vị)"
	art80k2     = law2022 + ", Điều 80 khoản 2 (Chủ tịch UBND cấp huyện)"
	art80k3     = law2022 + ", Điều 80 khoản 3 (Chủ tịch UBND cấp xã)"
	art79       = law2022 + ", Điều 79 (Bộ trưởng, Chủ tịch UBND cấp tỉnh) — chưa đối chiếu văn bản"
	law2003TTg  = "Luật số 15/2003/QH11: quyết định do Thủ tướng Chính phủ ký (QĐ …/QĐ-TTg) — điều khoản chưa đối chiếu văn bản"
	art54       = law2022 + ", Điều 54 (huy chương)"
	law2003Dk49 = "Luật số 15/2003/QH11, Điều 49 (tặng cá nhân)"
	// Practice, not yet a confirmed article: a Prime Minister's decision of
	// 14/10/2024 gave the 2023 Government flag to a cluster leader.
	practiceTTg2024 = "Thực tiễn: Quyết định của Thủ tướng Chính phủ ngày 14/10/2024 tặng Cờ thi đua của Chính phủ năm 2023 — điều khoản chưa đối chiếu văn bản"
	// After the district level ended (1/7/2025) commune chairs confer what
	// district chairs did for communes' units; the article is unconfirmed.
	commune2025 = "Nghị định số 152/2025/NĐ-CP (chính quyền địa phương hai cấp từ 01/7/2025): Chủ tịch UBND cấp xã thay cấp huyện — điều khoản chưa đối chiếu văn bản"
)

var (
	classes3    = []string{"FIRST", "SECOND", "THIRD"}
	individual  = []string{"INDIVIDUAL"}
	collective  = []string{"COLLECTIVE"}
	household   = []string{"HOUSEHOLD"}
	indColl     = []string{"INDIVIDUAL", "COLLECTIVE"}
	indCollHome = []string{"INDIVIDUAL", "COLLECTIVE", "HOUSEHOLD"}
	byPresident = rules(rule("PRESIDENT", "", "", art77))
	byPM        = rules(rule("PRIME_MINISTER", "", "", art78k2))
	byMinister  = rules(unconfirmed(rule("MINISTER", "", "", art79)))
	byProvince  = rules(unconfirmed(rule("PROVINCE_CHAIR", "", "", art79)))
	byDistrict  = rule("DISTRICT_CHAIR", "", domain.DistrictLevelEnd, art80k2)
	byUnitHead  = rule("UNIT_HEAD", "", "", art80k1)
	byCommune   = rule("COMMUNE_CHAIR", "", "", art80k3)
	grassroots  = rules(byUnitHead, byDistrict, byCommune)
	// Chiến sĩ thi đua cơ sở, Tập thể lao động tiên tiến for communes'
	// units: the district chair until 30/6/2025, the commune chair after.
	unitDistrict    = rules(byUnitHead, byDistrict, communeFrom2025)
	communeFrom2025 = unconfirmed(rule("COMMUNE_CHAIR", domain.Decree152Start, "", commune2025))
)

func rule(authority, from, to, basis string) domain.AuthorityRule {
	return domain.AuthorityRule{Authority: authority, From: from, To: to, Basis: basis}
}

// unconfirmed marks a rule whose article was not checked against the
// gazette (docs/domain.md, "The law behind the rules").
func unconfirmed(r domain.AuthorityRule) domain.AuthorityRule {
	r.Unconfirmed = true
	return r
}

func rules(rs ...domain.AuthorityRule) []domain.AuthorityRule { return rs }

// awardType fills in the authorities from the rules.
func awardType(id, name, form string, classes []string, rs []domain.AuthorityRule, kinds []string, basis string) domain.AwardType {
	return withRules(domain.AwardType{ID: id, Name: name, Form: form, Classes: classes, RecipientKinds: kinds, LegalBasis: basis}, rs)
}

// withRules is t deciding by rs, its authorities filled in from them.
func withRules(t domain.AwardType, rs []domain.AuthorityRule) domain.AwardType {
	t.AuthorityRules, t.Authorities = rs, nil
	for _, r := range rs {
		seen := false
		for _, a := range t.Authorities {
			seen = seen || a == r.Authority
		}
		if !seen {
			t.Authorities = append(t.Authorities, r.Authority)
		}
	}
	return t
}

// AwardTypes is the catalogue of award forms, in the order of the law:
// orders, medals, honorary titles, prizes, emulation titles, certificates.
var AwardTypes = withRewards([]domain.AwardType{
	awardType("huan-chuong-sao-vang", "Huân chương Sao vàng", "ORDER", nil, byPresident, indColl, law2022+", Điều 33"),
	awardType("huan-chuong-ho-chi-minh", "Huân chương Hồ Chí Minh", "ORDER", nil, byPresident, indColl, law2022+", Điều 33"),
	awardType("huan-chuong-doc-lap", "Huân chương Độc lập", "ORDER", classes3, byPresident, indColl, law2022+", Điều 33"),
	awardType("huan-chuong-quan-cong", "Huân chương Quân công", "ORDER", classes3, byPresident, indColl, law2022+", Điều 33"),
	awardType("huan-chuong-lao-dong", "Huân chương Lao động", "ORDER", classes3, byPresident, indColl, law2022+", Điều 33"),
	awardType("huan-chuong-bao-ve-to-quoc", "Huân chương Bảo vệ Tổ quốc", "ORDER", classes3, byPresident, indColl, law2022+", Điều 33"),
	awardType("huan-chuong-chien-cong", "Huân chương Chiến công", "ORDER", classes3, byPresident, indColl, law2022+", Điều 33"),
	// For individuals only (Luật 15/2003/QH11, Điều 49).
	awardType("huan-chuong-dai-doan-ket-dan-toc", "Huân chương Đại đoàn kết dân tộc", "ORDER", nil, byPresident, individual, law2003Dk49),
	awardType("huan-chuong-dung-cam", "Huân chương Dũng cảm", "ORDER", nil, byPresident, individual, law2022+", Điều 33"),
	awardType("huan-chuong-huu-nghi", "Huân chương Hữu nghị", "ORDER", nil, byPresident, indColl, law2022+", Điều 53"),
	// Medals (Điều 54: for the armed forces and foreigners, individuals).
	awardType("huy-chuong-quan-ky-quyet-thang", "Huy chương Quân kỳ quyết thắng", "MEDAL", nil, byPresident, individual, art54+", Điều 55"),
	awardType("huy-chuong-vi-an-ninh-to-quoc", "Huy chương Vì an ninh Tổ quốc", "MEDAL", nil, byPresident, individual, art54+", Điều 56"),
	awardType("huy-chuong-chien-si-ve-vang", "Huy chương Chiến sĩ vẻ vang", "MEDAL", classes3, byPresident, individual, art54),
	awardType("huy-chuong-huu-nghi", "Huy chương Hữu nghị", "MEDAL", nil, byPresident, individual, art54),
	// State honorary titles (danh hiệu vinh dự nhà nước) and prizes.
	awardType("anh-hung-lao-dong", "Anh hùng Lao động", "HONORARY_TITLE", nil, byPresident, indColl, art77),
	awardType("anh-hung-luc-luong-vu-trang-nhan-dan", "Anh hùng Lực lượng vũ trang nhân dân", "HONORARY_TITLE", nil, byPresident, indColl, art77),
	awardType("giai-thuong-ho-chi-minh", "Giải thưởng Hồ Chí Minh", "PRIZE", nil, byPresident, indColl, art77),
	awardType("giai-thuong-nha-nuoc", "Giải thưởng Nhà nước", "PRIZE", nil, byPresident, indColl, art77),
	// Emulation titles (Điều 19–20) and certificates.
	awardType("co-thi-dua-chinh-phu", "Cờ thi đua của Chính phủ", "EMULATION_TITLE", nil, rules(
		unconfirmed(rule("PRIME_MINISTER", "", "2023-12-31", law2003TTg)),
		unconfirmed(rule("PRIME_MINISTER", domain.Law2022Start, "", practiceTTg2024)),
		unconfirmed(rule("GOVERNMENT", domain.Law2022Start, "", art78k1))), collective, law2022+", Điều 25"),
	awardType("chien-si-thi-dua-toan-quoc", "Chiến sĩ thi đua toàn quốc", "EMULATION_TITLE", nil, byPM, individual, law2022+", Điều 21"),
	awardType("bang-khen-thu-tuong", "Bằng khen của Thủ tướng Chính phủ", "CERTIFICATE_OF_MERIT", nil, byPM, indCollHome, art78k2),
	awardType("co-thi-dua-bo", "Cờ thi đua của Bộ, ban, ngành", "EMULATION_TITLE", nil, byMinister, collective, law2022+", Điều 20"),
	awardType("bang-khen-bo-truong", "Bằng khen của Bộ trưởng", "CERTIFICATE_OF_MERIT", nil, byMinister, indCollHome, art79),
	awardType("co-thi-dua-tinh", "Cờ thi đua của Ủy ban nhân dân tỉnh", "EMULATION_TITLE", nil, byProvince, collective, law2022+", Điều 20"),
	awardType("chien-si-thi-dua-tinh", "Chiến sĩ thi đua cấp tỉnh", "EMULATION_TITLE", nil, byProvince, individual, law2022+", Điều 19"),
	awardType("bang-khen-chu-tich-tinh", "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh", "CERTIFICATE_OF_MERIT", nil, byProvince, indCollHome, art79),
	awardType("tap-the-lao-dong-xuat-sac", "Tập thể lao động xuất sắc", "EMULATION_TITLE", nil,
		rules(byMinister[0], byProvince[0]), collective, law2022+", Điều 20"),
	awardType("ky-niem-chuong", "Kỷ niệm chương", "MEDAL", nil,
		rules(byMinister[0], byProvince[0]), individual, law2022+" — chưa đối chiếu văn bản"),
	awardType("chien-si-thi-dua-co-so", "Chiến sĩ thi đua cơ sở", "EMULATION_TITLE", nil, unitDistrict, individual, law2022+", Điều 19; Điều 80 khoản 1, 2"),
	awardType("tap-the-lao-dong-tien-tien", "Tập thể lao động tiên tiến", "EMULATION_TITLE", nil, unitDistrict, collective, law2022+", Điều 20; Điều 80 khoản 1, 2"),
	awardType("lao-dong-tien-tien", "Lao động tiên tiến", "EMULATION_TITLE", nil, grassroots, individual, law2022+", Điều 19; Điều 80"),
	awardType("gia-dinh-van-hoa", "Gia đình văn hóa", "EMULATION_TITLE", nil, rules(byCommune), household, art80k3),
	awardType("thon-to-dan-pho-van-hoa", "Thôn, tổ dân phố văn hóa", "EMULATION_TITLE", nil, rules(byDistrict, communeFrom2025), collective, art80k2),
	awardType("giay-khen", "Giấy khen", "CERTIFICATE_OF_COMMENDATION", nil, grassroots, indCollHome, law2022+", Điều 80"),
})
