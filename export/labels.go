package export

// labels is the one table of the Vietnamese words the report files show for
// the API's enum values, keyed by the GraphQL enum's name
// (graph/award.graphqls, graph/review.graphqls, graph/dossier.graphqls).
var labels = map[string]map[string]string{
	"AwardClass": {
		"FIRST":  "Hạng Nhất",
		"SECOND": "Hạng Nhì",
		"THIRD":  "Hạng Ba",
	},
	"Authority": {
		"PRESIDENT":      "Chủ tịch nước",
		"GOVERNMENT":     "Chính phủ",
		"PRIME_MINISTER": "Thủ tướng Chính phủ",
		"MINISTER":       "Bộ trưởng",
		"PROVINCE_CHAIR": "Chủ tịch UBND tỉnh",
		"DISTRICT_CHAIR": "Chủ tịch UBND cấp huyện",
		"COMMUNE_CHAIR":  "Chủ tịch UBND cấp xã",
		"UNIT_HEAD":      "Thủ trưởng cơ quan, đơn vị",
	},
	"RecipientKind": {
		"INDIVIDUAL": "Cá nhân",
		"COLLECTIVE": "Tập thể",
		"HOUSEHOLD":  "Hộ gia đình",
	},
	"AwardStatus": {
		"PROPOSED":  "Đề nghị",
		"CONFERRED": "Đã khen thưởng",
		"REJECTED":  "Không khen thưởng",
		"REVOKED":   "Đã thu hồi",
	},
	"DossierStatus": {
		"DRAFT":     "Dự thảo",
		"SUBMITTED": "Đã trình",
		"RETURNED":  "Trả lại",
		"VETTED":    "Đã thẩm định",
		"FORWARDED": "Đã trình cấp trên",
		"DECIDED":   "Đã quyết định",
		"REJECTED":  "Không khen thưởng",
	},
	"DossierKind": {
		"REGULAR":          "Thường xuyên",
		"THEMATIC":         "Theo đợt, chuyên đề",
		"UNSCHEDULED":      "Đột xuất",
		"DEDICATION":       "Quá trình cống hiến",
		"YEARS_OF_SERVICE": "Theo niên hạn",
		"FOREIGN":          "Đối ngoại",
	},
	// The word written before a figure as reported: "hơn 24.900".
	"FigureQualifier": {
		"EXACT":     "",
		"MORE_THAN": "hơn",
		"ABOUT":     "khoảng",
	},
}

// Label is the Vietnamese label of value of the GraphQL enum named enum
// ("Authority", "PRESIDENT" → "Chủ tịch nước"), and whether the table has
// one; a value without a label is shown as it is.
func Label(enum, value string) (string, bool) {
	l, ok := labels[enum][value]
	if !ok {
		return value, false
	}
	return l, true
}

func label(enum, value string) string {
	l, _ := Label(enum, value)
	return l
}
