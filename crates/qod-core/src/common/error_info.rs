use crate::limits;
use crate::schema::{model, wire_enum};
use heapless::String;

model! {
    /// `ErrorInfo`: the body of every CAMARA error response.
    pub struct ErrorInfo {
        /// `status`: the HTTP status the server meant.
        req status: u16 = "status";
        /// `code`: e.g. `INVALID_ARGUMENT` (see [`ErrorCode`]).
        req code: String<{ limits::ERROR_CODE }> = "code";
        /// `message`: a human-readable explanation.
        req message: String<{ limits::ERROR_MESSAGE }> = "message";
    }
}

wire_enum! {
    /// The CAMARA error codes (`ErrorInfo.code`) of v0.10.1, 1.1.0 and the CAMARA commonalities, for matching;
    /// anything else is `Unknown`.
    ErrorCode, "code" {
        /// 400: a parameter is invalid.
        InvalidArgument = "INVALID_ARGUMENT",
        /// 400: a value is out of its allowed range.
        OutOfRange = "OUT_OF_RANGE",
        /// 401: missing, invalid or expired credentials.
        Unauthenticated = "UNAUTHENTICATED",
        /// 403: not allowed.
        PermissionDenied = "PERMISSION_DENIED",
        /// 404: no such session or profile.
        NotFound = "NOT_FOUND",
        /// 405: the method is not allowed on this resource.
        MethodNotAllowed = "METHOD_NOT_ALLOWED",
        /// 406: the requested representation cannot be produced.
        NotAcceptable = "NOT_ACCEPTABLE",
        /// 409: another session exists for the device.
        Conflict = "CONFLICT",
        /// 415: the request body's media type is not supported.
        UnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE",
        /// 429: too many requests.
        TooManyRequests = "TOO_MANY_REQUESTS",
        /// 500: server failure.
        Internal = "INTERNAL",
        /// 501: not implemented for this device.
        NotImplemented = "NOT_IMPLEMENTED",
        /// 503: try again later.
        Unavailable = "UNAVAILABLE",
        /// 504: the server timed out.
        Timeout = "TIMEOUT",
        /// 404 (v1): the device identifier is not known.
        IdentifierNotFound = "IDENTIFIER_NOT_FOUND",
        /// 422 (v1): no `device` was given and the access token identifies none.
        MissingIdentifier = "MISSING_IDENTIFIER",
        /// 422 (v1): a `device` was given although the access token identifies one.
        UnnecessaryIdentifier = "UNNECESSARY_IDENTIFIER",
        /// 422 (v1): none of the given identifiers is supported.
        UnsupportedIdentifier = "UNSUPPORTED_IDENTIFIER",
        /// 422 (v1): the service is not available for the identified device.
        ServiceNotApplicable = "SERVICE_NOT_APPLICABLE",
        /// 400 (v1): the duration is out of the QoS profile's range.
        DurationOutOfRange = "QUALITY_ON_DEMAND.DURATION_OUT_OF_RANGE",
        /// 409 (v1): the session cannot be extended in its current status (only `AVAILABLE` ones can).
        SessionExtensionNotAllowed = "QUALITY_ON_DEMAND.SESSION_EXTENSION_NOT_ALLOWED",
        /// 422 (v1): the QoS profile exists but cannot be used for a new session.
        QosProfileNotApplicable = "QUALITY_ON_DEMAND.QOS_PROFILE_NOT_APPLICABLE",
        /// 400 (v1): a `sinkCredential` type other than `ACCESSTOKEN`.
        InvalidCredential = "INVALID_CREDENTIAL",
        /// 400 (v1): an access token type other than `bearer`.
        InvalidToken = "INVALID_TOKEN",
        /// 400 (v1): the `sink` is not valid.
        InvalidSink = "INVALID_SINK",
        /// 429 (v1): a business quota is used up.
        QuotaExceeded = "QUOTA_EXCEEDED",
        /// 410 (v1, notifications): the callback is gone.
        Gone = "GONE",
    }
}

impl ErrorInfo {
    /// `code` as an [`ErrorCode`].
    pub fn error_code(&self) -> ErrorCode {
        ErrorCode::from_wire(&self.code)
    }
}
