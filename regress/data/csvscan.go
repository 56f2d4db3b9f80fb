package data

import (
	"bytes"
	"encoding/csv"
	"io"
	"math"
	"unicode"
)

// csvScanner splits a CSV stream into records as encoding/csv's Reader does
// with TrimLeadingSpace and Comment '#' (the same fields, field positions and
// errors), but over one buffer reused for every record: a field is a view of
// the buffer, unquoted in place, valid until the next record is read. Reading
// a row allocates nothing once the buffer has grown to the longest row.
type csvScanner struct {
	src     io.Reader
	buf     []byte
	start   int   // the first byte of the current record's lines in buf
	r, w    int   // buf[r:w] is read but not yet split into lines
	err     error // the source's error, returned once buf[r:w] is used up
	numLine int   // lines read
	nfields int   // fields per record: the first record's (FieldsPerRecord)
	nf      int   // fields in the last record, those not kept included

	spans  []int      // the last record's fields: start, end pairs relative to start
	pos    []position // where each field starts
	vals   []float64  // each field's number when decimal64 took it whole, else NaN
	fields [][]byte   // the fields as views of buf (see record)
}

// position is a field's line and 1-based byte column, as encoding/csv's.
type position struct{ line, col int }

const (
	scanChunk = 64 << 10 // bytes read from the source at a time
	// scanMax bounds the buffer: a record is at most MaxCSVRow bytes
	// (rowLimiter fails beyond), and a line may come with a read's worth
	// of bytes after it.
	scanMax = 2*MaxCSVRow + 2*scanChunk
)

func newCSVScanner(src io.Reader) *csvScanner {
	return &csvScanner{src: src, buf: make([]byte, scanChunk)}
}

// fill reads more bytes, first moving the current record to the front of
// the buffer or growing it when it has no room left.
func (s *csvScanner) fill() {
	if s.start > 0 {
		n := copy(s.buf, s.buf[s.start:s.w])
		s.r -= s.start
		s.w, s.start = n, 0
	}
	if s.w == len(s.buf) {
		if len(s.buf) >= scanMax {
			s.err = &CSVError{Err: limitError("a row longer than the reader's buffer")}
			return
		}
		nb := make([]byte, min(2*len(s.buf), scanMax))
		copy(nb, s.buf[:s.w])
		s.buf = nb
	}
	// A reader that returns nothing and no error is asked again, as bufio
	// does, up to a point.
	for i := 0; i < 100; i++ {
		n, err := s.src.Read(s.buf[s.w:min(len(s.buf), s.w+scanChunk)])
		s.w += n
		if err != nil {
			s.err = err
		}
		if n > 0 || err != nil {
			return
		}
	}
	s.err = io.ErrNoProgress
}

// readLine reads the next line, its line break included unless it is the
// last, as buf[s.start+lo : s.start+hi]: bufio's ReadSlice('\n') followed by
// encoding/csv's readLine (CRLF becomes LF; a CR before the end of the file
// is dropped). The line stays in the buffer until the record starts anew.
func (s *csvScanner) readLine() (lo, hi int, err error) {
	end := -1
	for scanned := s.r; ; {
		if i := bytes.IndexByte(s.buf[scanned:s.w], '\n'); i >= 0 {
			end = scanned + i + 1
			break
		}
		if s.err != nil {
			end, err = s.w, s.err
			break
		}
		scanned = s.w
		from := s.start
		s.fill()
		scanned -= from - s.start
	}
	lo = s.r - s.start
	s.r = end
	hi = end - s.start
	b := s.buf[s.start:]
	if hi > lo && err == io.EOF {
		err = nil
		if b[hi-1] == '\r' {
			hi--
		}
	}
	s.numLine++
	if hi-lo >= 2 && b[hi-2] == '\r' && b[hi-1] == '\n' {
		b[hi-2] = '\n'
		hi--
	}
	return lo, hi, err
}

// addField adds a field of the record being read: buf[start+from :
// start+to], starting at p, and its value if it is a number decimal64 takes.
// Only the first MaxCSVColumns+1 fields are kept, enough to refuse the
// record: the others are counted, so that a row of commas, 40 bytes of
// bookkeeping for every 2 bytes, costs no more than a row at the limit.
func (s *csvScanner) addField(from, to int, p position, v float64) {
	if s.nf++; s.nf > MaxCSVColumns+1 {
		return
	}
	s.spans = append(s.spans, from, to)
	s.pos = append(s.pos, p)
	s.vals = append(s.vals, v)
}

// field returns field j of the record last read.
func (s *csvScanner) field(j int) []byte {
	lo, hi := s.start+s.spans[2*j], s.start+s.spans[2*j+1]
	return s.buf[lo:hi:hi]
}

// record returns the fields of the record last read.
func (s *csvScanner) record() [][]byte {
	b := s.buf[s.start:]
	s.fields = s.fields[:0]
	for i := 0; i+1 < len(s.spans); i += 2 {
		s.fields = append(s.fields, b[s.spans[i]:s.spans[i+1]:s.spans[i+1]])
	}
	return s.fields
}

// nextRecord reads the next record (io.EOF: there is none), as
// encoding/csv's Reader.Read: blank lines and comment lines are skipped,
// every record must have as many fields as the first (csv.ErrFieldCount),
// and errors are *csv.ParseError or the source's. On an error the fields
// read so far are kept, as Read returns them.
func (s *csvScanner) nextRecord() error {
	s.spans, s.pos, s.vals, s.nf = s.spans[:0], s.pos[:0], s.vals[:0], 0
	var lo, hi int
	var errRead error
	for errRead == nil {
		s.start = s.r
		lo, hi, errRead = s.readLine()
		b := s.buf[s.start:]
		if hi > lo && b[lo] == '#' {
			lo = hi
			continue // a comment line
		}
		if errRead == nil && hi-lo == lengthNL(b[lo:hi]) {
			lo = hi
			continue // a blank line
		}
		break
	}
	if errRead == io.EOF {
		return errRead
	}
	recLine := s.numLine
	err := s.parseRecord(lo, hi, &errRead)
	if err == nil {
		err = errRead
	}
	if s.nfields > 0 {
		if s.nf != s.nfields && err == nil {
			err = &csv.ParseError{StartLine: recLine, Line: recLine, Column: 1, Err: csv.ErrFieldCount}
		}
	} else {
		s.nfields = s.nf
	}
	return err
}

func lengthNL(b []byte) int {
	if len(b) > 0 && b[len(b)-1] == '\n' {
		return 1
	}
	return 0
}

// parseRecord splits the line buf[start+lo : start+hi] (and the lines after
// it that a quoted field spans) into fields: encoding/csv's parseField loop.
// Unquoted fields stay where they are; a quoted field is unquoted in place,
// its bytes moved towards its opening quote.
func (s *csvScanner) parseRecord(lo, hi int, errRead *error) error {
	recLine := s.numLine
	pos := position{line: s.numLine, col: 1}
	b := s.buf[s.start:]
	for {
		// TrimLeadingSpace.
		i := lo
		for i < hi && asciiSpace[b[i]] {
			i++
		}
		if i < hi && b[i] >= utf8Self {
			if j := bytes.IndexFunc(b[i:hi], notSpace); j >= 0 {
				i += j
			} else {
				i = hi
			}
		}
		if i == hi {
			pos.col -= lengthNL(b[lo:hi])
		}
		pos.col += i - lo
		lo = i
		if lo == hi || b[lo] != '"' {
			// An unquoted field: up to the next comma or the line's end,
			// with no quote in it. Most are numbers, read as they are
			// scanned.
			// The scan takes no comma, quote or line break: where it
			// stops at one, the field ends.
			v, j, ok := scanDecimal(b, lo, hi)
			if j < hi && b[j] == ',' || j == hi-lengthNL(b[lo:hi]) {
				if !ok {
					v = math.NaN()
				}
				s.addField(lo, j, pos, v)
				if j < hi && b[j] == ',' {
					pos.col += j + 1 - lo
					lo = j + 1
					continue
				}
				return nil
			}
			for j = lo; j < hi && !fieldStop[b[j]]; j++ {
			}
			if j < hi && b[j] == '"' {
				return &csv.ParseError{StartLine: recLine, Line: s.numLine, Column: pos.col + j - lo, Err: csv.ErrBareQuote}
			}
			if j == hi {
				j -= lengthNL(b[lo:hi])
			}
			s.addField(lo, j, pos, math.NaN())
			if j < hi && b[j] == ',' {
				pos.col += j + 1 - lo
				lo = j + 1
				continue
			}
			return nil
		}
		var err error
		var done bool
		if lo, hi, done, err = s.quotedField(lo, hi, &pos, recLine, errRead); err != nil || done {
			return err
		}
		b = s.buf[s.start:]
	}
}

// quotedField reads the quoted field opening at b[lo] (b is the buffer
// from the record's start) and unquotes it in place. It returns where the
// next field starts, on the line b[lo:hi], and done at the record's end.
func (s *csvScanner) quotedField(lo, hi int, pos *position, recLine int, errRead *error) (int, int, bool, error) {
	fieldPos := *pos
	b := s.buf[s.start:]
	w := lo // the unquoted bytes go to b[from:w]
	from := lo
	lo++
	pos.col++
	for {
		if i := bytes.IndexByte(b[lo:hi], '"'); i >= 0 {
			w += copy(b[w:], b[lo:lo+i])
			lo += i + 1
			pos.col += i + 1
			switch {
			case lo < hi && b[lo] == '"':
				b[w] = '"' // `""`: a quote
				w++
				lo++
				pos.col++
			case lo < hi && b[lo] == ',':
				lo++ // `",`: the field's end
				pos.col++
				s.addField(from, w, fieldPos, math.NaN())
				return lo, hi, false, nil
			case hi-lo == lengthNL(b[lo:hi]):
				s.addField(from, w, fieldPos, math.NaN()) // `"\n`: the record's end
				return lo, hi, true, nil
			default:
				return lo, hi, true, &csv.ParseError{StartLine: recLine, Line: s.numLine, Column: pos.col - 1, Err: csv.ErrQuote}
			}
		} else if lo < hi {
			// The line ends inside the field: keep it all, read the next.
			w += copy(b[w:], b[lo:hi])
			if *errRead != nil {
				return hi, hi, true, nil // the field is dropped, as by encoding/csv
			}
			pos.col += hi - lo
			var nlo, nhi int
			nlo, nhi, *errRead = s.readLine()
			b = s.buf[s.start:]
			lo, hi = nlo, nhi
			if hi > lo {
				pos.line++
				pos.col = 1
			}
			if *errRead == io.EOF {
				*errRead = nil
			}
		} else {
			// The file ends inside the field.
			if *errRead == nil {
				return lo, hi, true, &csv.ParseError{StartLine: recLine, Line: pos.line, Column: pos.col, Err: csv.ErrQuote}
			}
			s.addField(from, w, fieldPos, math.NaN())
			return lo, hi, true, nil
		}
	}
}

const utf8Self = 0x80 // bytes below are ASCII characters

// asciiSpace marks the ASCII bytes unicode.IsSpace accepts; fieldStop the
// bytes that end an unquoted field's run (a comma, or a quote: an error).
var asciiSpace = [256]bool{' ': true, '\t': true, '\n': true, '\v': true, '\f': true, '\r': true}
var fieldStop = [256]bool{',': true, '"': true}

func notSpace(r rune) bool { return !unicode.IsSpace(r) }
