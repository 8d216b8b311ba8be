package fakegraph

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// FaultKind says how a faulty answer misbehaves.
type FaultKind string

// Fault kinds.
const (
	// FaultStatus answers StatusCode (default 503) with a Graph envelope (Code, Message) and,
	// when RetryAfter is set, that Retry-After header verbatim (seconds, fractional or HTTP date).
	FaultStatus FaultKind = "status"
	// FaultSlow waits Delay, then answers normally; the wait ends if the client goes away.
	FaultSlow FaultKind = "slow"
	// FaultReset hijacks the connection, writes part of a response and resets it.
	FaultReset FaultKind = "reset"
	// FaultHang never answers: it holds the request until the client goes away or the server
	// closes (then the connection is dropped).
	FaultHang FaultKind = "hang"
	// FaultNonJSON answers 200 (or StatusCode) with an HTML gateway page.
	FaultNonJSON FaultKind = "nonJSON"
	// FaultKeyValueNotJSON answers 200 with key and value strings that do not hold JSON.
	FaultKeyValueNotJSON FaultKind = "keyValueNotJSON"
	// FaultValueWrongType answers 200 with a valid key but a value that is a JSON number
	// instead of a string.
	FaultValueWrongType FaultKind = "valueWrongType"
	// FaultEmptyBody answers 200 with an empty body.
	FaultEmptyBody FaultKind = "emptyBody"
	// FaultHugeBody answers 200 with a syntactically valid answer of Size bytes (default 16 MiB).
	FaultHugeBody FaultKind = "hugeBody"
	// FaultDeepNesting answers 200 with a value string holding arrays nested Depth deep
	// (default 100000).
	FaultDeepNesting FaultKind = "deepNesting"
	// FaultRawBody answers StatusCode (default 200) with Body verbatim.
	FaultRawBody FaultKind = "rawBody"
)

var faultKinds = []FaultKind{FaultStatus, FaultSlow, FaultReset, FaultHang, FaultNonJSON,
	FaultKeyValueNotJSON, FaultValueWrongType, FaultEmptyBody, FaultHugeBody, FaultDeepNesting, FaultRawBody}

// Fault makes the next Count matching requests misbehave. Faults are consumed in the order they
// were injected: a request takes the first pending fault that matches it.
type Fault struct {
	// JobID limits the fault to one job; "" matches any job.
	JobID string
	// Count is how many requests the fault applies to: 0 means 1, negative means every
	// matching request until Reset.
	Count int
	Kind  FaultKind
	// IncludeReads extends the fault to the GET reads; by default it only hits provisionOnDemand.
	IncludeReads bool

	StatusCode int    // FaultStatus, FaultNonJSON, FaultRawBody
	Code       string // FaultStatus: Graph error code; default from StatusCode
	Message    string // FaultStatus: error message
	RetryAfter string // FaultStatus: Retry-After header, verbatim
	Delay      time.Duration
	Size       int64  // FaultHugeBody
	Depth      int    // FaultDeepNesting
	Body       string // FaultRawBody
}

type pendingFault struct {
	Fault
	remaining int // negative: unlimited
}

// InjectFault queues f.
func (s *Server) InjectFault(f Fault) {
	remaining := f.Count
	if remaining == 0 {
		remaining = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &pendingFault{Fault: f, remaining: remaining})
}

// PendingFaults is the number of injected faults not yet used up.
func (s *Server) PendingFaults() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.faults)
}

// takeFault consumes one use of the first pending fault matching the request.
func (s *Server) takeFault(j *job, operation string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.JobID != "" && (j == nil || f.JobID != j.id) {
			continue
		}
		if operation != OperationProvisionOnDemand && !f.IncludeReads {
			continue
		}
		if f.remaining > 0 {
			f.remaining--
			if f.remaining == 0 {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
		}
		return f.Fault, true
	}
	return Fault{}, false
}

var defaultFaultCodes = map[int]string{
	http.StatusTooManyRequests:     "TooManyRequests",
	http.StatusInternalServerError: "InternalServerError",
	http.StatusBadGateway:          "BadGateway",
	http.StatusServiceUnavailable:  "ServiceUnavailable",
	http.StatusGatewayTimeout:      "GatewayTimeout",
}

const stringKeyStringValuePair = "#microsoft.graph.stringKeyStringValuePair"

// serveFault answers the request as f says. It reports false when the request should still
// be answered normally (a slow answer whose wait is over).
func (s *Server) serveFault(x *exchange, f Fault) bool {
	odataContext := odataBase(x.r, parseRoute(x.r.URL.Path).version) + stringKeyStringValuePair
	switch f.Kind {
	case FaultStatus:
		status := f.StatusCode
		if status == 0 {
			status = http.StatusServiceUnavailable
		}
		code := f.Code
		if code == "" {
			code = defaultFaultCodes[status]
		}
		if code == "" {
			code = strings.ReplaceAll(http.StatusText(status), " ", "")
		}
		message := f.Message
		if message == "" {
			message = "The service is temporarily unavailable. Please retry later."
		}
		if f.RetryAfter != "" {
			x.w.Header().Set("Retry-After", f.RetryAfter)
		}
		s.writeError(x, status, code, message)
	case FaultSlow:
		return !s.wait(x.r.Context(), f.Delay)
	case FaultReset:
		s.resetConnection(x)
	case FaultHang:
		select {
		case <-x.r.Context().Done():
		case <-s.closing:
			panic(http.ErrAbortHandler)
		}
	case FaultNonJSON:
		s.writeRaw(x, statusOr(f.StatusCode, http.StatusOK),
			"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>")
	case FaultKeyValueNotJSON:
		s.writeRaw(x, http.StatusOK, string(marshal(map[string]string{
			"@odata.context": odataContext,
			"key":            "result=Success; details=none",
			"value":          "<entry status='Success'/>",
		})))
	case FaultValueWrongType:
		s.writeRaw(x, http.StatusOK, string(marshal(map[string]any{
			"@odata.context": odataContext,
			"key":            `{"result":"Success","details":{}}`,
			"value":          42,
		})))
	case FaultEmptyBody:
		x.w.Header().Set("Content-Length", "0")
		x.writeHeader(http.StatusOK)
	case FaultHugeBody:
		s.writeHuge(x, odataContext, f.Size)
	case FaultDeepNesting:
		depth := f.Depth
		if depth <= 0 {
			depth = 100000
		}
		s.writeRaw(x, http.StatusOK, `{"@odata.context":"`+odataContext+`","key":"`+statusInfoKey+`","value":"`+
			strings.Repeat("[", depth)+strings.Repeat("]", depth)+`"}`)
	case FaultRawBody:
		s.writeRaw(x, statusOr(f.StatusCode, http.StatusOK), f.Body)
	}
	return true
}

func statusOr(status, fallback int) int {
	if status == 0 {
		return fallback
	}
	return status
}

func (s *Server) writeRaw(x *exchange, status int, body string) {
	x.w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	x.writeHeader(status)
	_, _ = io.WriteString(x.w, body)
}

// writeHuge streams a valid shape-B-like answer padded to size bytes, without holding it in memory.
func (s *Server) writeHuge(x *exchange, odataContext string, size int64) {
	if size <= 0 {
		size = 16 << 20
	}
	head := `{"@odata.context":"` + odataContext + `","key":"{\"result\":\"Success\",\"details\":{}}","value":"`
	tail := `"}`
	padding := size - int64(len(head)+len(tail))
	if padding < 0 {
		padding = 0
	}
	x.w.Header().Set("Content-Length", strconv.FormatInt(int64(len(head)+len(tail))+padding, 10))
	x.writeHeader(http.StatusOK)
	bw := bufio.NewWriterSize(x.w, 64<<10)
	_, _ = bw.WriteString(head)
	chunk := strings.Repeat("x", 64<<10)
	for padding > 0 {
		n := min(padding, int64(len(chunk)))
		if _, err := bw.WriteString(chunk[:n]); err != nil {
			return
		}
		padding -= n
	}
	_, _ = bw.WriteString(tail)
	_ = bw.Flush()
}

// resetConnection writes the start of a response promising more than it sends, then resets
// the TCP connection.
func (s *Server) resetConnection(x *exchange) {
	conn, buf, err := http.NewResponseController(x.w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	defer conn.Close()
	_, _ = fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nrequest-id: %s\r\nContent-Length: 4096\r\n\r\n{\"key\":\"{\\\"result\\\":", x.requestID)
	_ = buf.Flush()
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0) // close with RST instead of FIN
	}
}
