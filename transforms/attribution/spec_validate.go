package attribution

// Validate reports a bad parameter of s (its defaults applied), so that a
// configuration can be checked before any journeys are read.
func (s Spec) Validate() error {
	_, err := s.withDefaults()
	return err
}
