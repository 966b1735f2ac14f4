package repository

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/thidua/thidua/domain"
)

// The legal-basis texts the code before issue 18 generated: the 2003 law
// for decisions before 2024, Law 06/2022 with Decree 98/2023 from then on,
// whatever the date (so decisions from 1/7/2025 cited a repealed decree).
var generatedLegalBases = map[string]bool{
	"Luật Thi đua, Khen thưởng số 15/2003/QH11 (sửa đổi, bổ sung năm 2005, 2009, 2013)": true,
	"Luật Thi đua, khen thưởng số 06/2022/QH15 và Nghị định số 98/2023/NĐ-CP":           true,
}

// migrateLegalBases (9) gives awards and decisions the text of the law
// table (domain.LawPeriod, seeded by migration 8) in force on their
// decision's date — a proposal's on the date the rules judge it at, the end
// of its year or the migration's day if earlier — where the stored text is
// one the old code generated: a text somebody wrote otherwise stays. Each
// corrected record counts a new version.
func migrateLegalBases(ctx context.Context, s *Store) error {
	periods, err := s.LawPeriods(ctx)
	if err != nil {
		return err
	}
	if len(periods) == 0 {
		periods = domain.DefaultLawPeriods
	}
	today := s.stamp().Format(domain.DateLayout)
	correct := func(coll string, raw bson.Raw, on string) error {
		have, _ := raw.Lookup("legalBasis").StringValueOK()
		p := domain.LawPeriodOn(periods, on)
		if !generatedLegalBases[have] || on == "" || p == nil || p.Text == have {
			return nil
		}
		_, err := s.c(coll).UpdateOne(ctx, bson.D{{Key: "_id", Value: raw.Lookup("_id")}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "legalBasis", Value: p.Text}, {Key: "updatedAt", Value: s.stamp()}}},
				{Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}}})
		return mapErr(err)
	}
	if err := s.eachRaw(ctx, colAwards, func(raw bson.Raw) error {
		on, _ := raw.Lookup("decision", "date").StringValueOK()
		if on == "" {
			if y, ok := raw.Lookup("year").AsInt64OK(); ok {
				on = min(domain.YearEnd(int(y)), today)
			}
		}
		return correct(colAwards, raw, on)
	}); err != nil {
		return err
	}
	return s.eachRaw(ctx, colDecisions, func(raw bson.Raw) error {
		on, _ := raw.Lookup("date").StringValueOK()
		return correct(colDecisions, raw, on)
	})
}
