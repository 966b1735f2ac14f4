package repository

// ReadGeneration returns the read model's generation: a number that
// changes with every change the read model takes, and ok when the read
// model answers reads (it exists and is loaded). Two reads of the read
// model made under the same generation see the same records.
func (s *Store) ReadGeneration() (gen uint64, ok bool) {
	rm := s.rm
	if rm == nil {
		return 0, false
	}
	rm.mu.RLock()
	defer rm.mu.RUnlock()
	return rm.gen, rm.loaded
}
