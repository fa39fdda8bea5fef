package value

import (
	"errors"
	"fmt"
)

// Error is a problem with an input document at a known place. Loaders return
// it (possibly wrapped) so the command can print "file:line:col: what was
// expected" and refuse to go on.
type Error struct {
	Pos Pos
	Msg string
}

func (e *Error) Error() string {
	if s := e.Pos.String(); s != "" {
		return s + ": " + e.Msg
	}
	return e.Msg
}

// Errorf returns an *Error at p.
func Errorf(p Pos, format string, args ...any) error {
	return &Error{Pos: p, Msg: fmt.Sprintf(format, args...)}
}

// ErrorPos returns the position of the first *Error in err's chain.
func ErrorPos(err error) (Pos, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e.Pos, true
	}
	return Pos{}, false
}
