// Command echo is a Lambda function for the rie package's own test: it
// answers with its event, the time left until its deadline and an
// environment variable, and fails when the event asks it to.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

type answer struct {
	Event       json.RawMessage `json:"event"`
	SecondsLeft float64         `json:"secondsLeft"`
	Greeting    string          `json:"greeting"`
}

func main() {
	lambda.Start(func(ctx context.Context, event json.RawMessage) (answer, error) {
		var ask struct {
			Fail bool `json:"fail"`
		}
		_ = json.Unmarshal(event, &ask)
		if ask.Fail {
			return answer{}, errors.New("asked to fail")
		}
		deadline, _ := ctx.Deadline()
		return answer{Event: event, SecondsLeft: time.Until(deadline).Seconds(), Greeting: os.Getenv("ECHO_GREETING")}, nil
	})
}
