package linkedin

// SetMaxElements lowers the element cap at which a window is split, so
// that tests reach it with a few rows.
func SetMaxElements(s *Source, n int) { s.maxElements = n }
