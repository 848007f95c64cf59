package media

// OnDecoded makes s run f once a photo's copies are made, while the photo's share of the
// decoding budget is still held: a test holds decodes there to see how many run at once.
func OnDecoded(s *Service, f func()) { s.decoded = f }

// DecodeStats is a DecodeLimiter's state: bytes held now and at most, decodes running and
// decodes waiting for their share.
type DecodeStats = decodeLimiterStats

func (l *DecodeLimiter) Stats() DecodeStats { return l.stats() }

// DecodeWeight is what a w×h photo takes from l's budget.
func (l *DecodeLimiter) DecodeWeight(w, h int) int64 { return l.decodeWeight(w, h) }
