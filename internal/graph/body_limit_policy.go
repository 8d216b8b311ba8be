package graph

import (
	"io"
	"net/http"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

const (
	maxResultBytes = 16 << 20 // a group answer with 5 members is a few hundred KiB at most
	maxErrorBytes  = 64 << 10
)

// ErrAnswerTooLarge is the error of a call whose successful answer is larger than the cap
// (errors.Is): the answer is dropped unread, and the call is not retried, as the next answer
// would be as large.
var ErrAnswerTooLarge error = answerTooLarge{}

type answerTooLarge struct{}

func (answerTooLarge) Error() string {
	return "graph: Graph's answer was larger than " + maxResultSize + ", the limit of this client"
}

// NonRetriable stops azcore's retry policy, which would read a GET's answer again.
func (answerTooLarge) NonRetriable() {}

// maxResultSize is maxResultBytes for people.
const maxResultSize = "16 MiB"

// bodyLimit caps every response body before azcore reads it into memory, so a hostile or broken
// server cannot exhaust it: a success body past the cap fails, an error body is cut short.
type bodyLimit struct{ next policy.Transporter }

func (t bodyLimit) Do(req *http.Request) (*http.Response, error) {
	resp, err := t.next.Do(req)
	if err != nil || resp.Body == nil {
		return resp, err
	}
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		resp.Body = &limitedBody{ReadCloser: resp.Body, left: maxResultBytes}
	} else {
		resp.Body = &limitedBody{ReadCloser: resp.Body, left: maxErrorBytes, truncate: true}
	}
	return resp, nil
}

type limitedBody struct {
	io.ReadCloser
	left     int64
	truncate bool
}

func (b *limitedBody) Read(p []byte) (int, error) {
	// read one byte past the cap to tell a body of exactly the cap from a longer one
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.ReadCloser.Read(p)
	if int64(n) > b.left {
		n, b.left = int(b.left), 0
		if b.truncate {
			return n, io.EOF
		}
		return n, ErrAnswerTooLarge
	}
	b.left -= int64(n)
	return n, err
}
