package collect

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/aws/smithy-go"
)

// errorCode returns the AWS error code of err ("AccessDenied",
// "ThrottlingException"), or "".
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// isCode reports whether err carries one of the codes: the "nothing
// configured" answers (NoSuchBucketPolicy, ResourceNotFoundException) that
// are facts about the resource, not failures.
func isCode(err error, codes ...string) bool {
	return err != nil && slices.Contains(codes, errorCode(err))
}

// Reason classifies why a service could not be audited, for the report and
// the metrics: access-denied, throttled, deadline, unavailable or error.
func Reason(err error) string {
	code := errorCode(err)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "deadline"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case strings.Contains(code, "AccessDenied"), code == "UnauthorizedOperation", code == "AuthorizationError", code == "AuthFailure":
		return "access-denied"
	case strings.Contains(code, "Throttl"), code == "TooManyRequestsException", code == "RequestLimitExceeded", code == "SlowDown":
		return "throttled"
	case code == "ServiceUnavailable", code == "InternalFailure", code == "InternalError", code == "ServiceException", code == "InternalServerError":
		return "unavailable"
	}
	return "error"
}
