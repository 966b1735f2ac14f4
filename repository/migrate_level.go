package repository

import "context"

// MigrationLevel is the highest migration id this code knows: the built-in
// ones and extra. Data recorded at a higher level was written by a newer
// version.
func MigrationLevel(extra ...Migration) int {
	level := 0
	for _, m := range withBuiltin(extra) {
		level = max(level, m.ID)
	}
	return level
}

// PendingMigrations returns the ids of the migrations (the built-in ones and
// extra) not yet recorded in the database: what Migrate would run.
func (s *Store) PendingMigrations(ctx context.Context, extra ...Migration) ([]int, error) {
	applied, err := s.appliedMigrations(ctx)
	if err != nil {
		return nil, err
	}
	var out []int
	for _, m := range withBuiltin(extra) {
		if !applied[m.ID] {
			out = append(out, m.ID)
		}
	}
	return out, nil
}
