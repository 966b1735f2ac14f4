package domain

// DefaultPrerequisites are the conditions of Law 06/2022/QH15 on titles
// that build on earlier ones that thidua checks when a dossier is
// submitted. The wording was read from secondary copies of the law, not the
// gazette (README, "The law behind the rules"); the ELIGIBILITY_RULES
// setting replaces the table where an office reads it otherwise.
var DefaultPrerequisites = []Prerequisite{
	{
		// Điều 21: "02 lần liên tục được tặng danh hiệu chiến sĩ thi đua
		// Bộ, ban, ngành, tỉnh". The provincial title is conferred for
		// three years of Chiến sĩ thi đua cơ sở (Điều 22), so two
		// consecutive conferrals are at most three years apart.
		AwardTypeID: "chien-si-thi-dua-toan-quoc",
		Needs:       []string{"chien-si-thi-dua-tinh"},
		Times:       2, Consecutive: true, Period: 3,
		Basis: "Luật Thi đua, khen thưởng số 06/2022/QH15, Điều 21",
	},
	{
		// Điều 22: "03 lần liên tục đạt danh hiệu Chiến sĩ thi đua cơ sở".
		AwardTypeID: "chien-si-thi-dua-tinh",
		Needs:       []string{"chien-si-thi-dua-co-so"},
		Times:       3, Consecutive: true, Period: 1,
		Basis: "Luật Thi đua, khen thưởng số 06/2022/QH15, Điều 22",
	},
}
