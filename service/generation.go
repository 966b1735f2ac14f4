package service

// ReadGeneration returns the generation of the store's in-memory read
// model and whether one answers reads (see repository.Store.ReadGeneration):
// false where the database answers lists itself.
func (s *Service) ReadGeneration() (uint64, bool) {
	g, ok := s.Store.(interface{ ReadGeneration() (uint64, bool) })
	if !ok {
		return 0, false
	}
	return g.ReadGeneration()
}
