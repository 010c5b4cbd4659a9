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
    /// The CAMARA error codes (`ErrorInfo.code`) v0.10.1 and the CAMARA commonalities use, for matching; anything else
    /// is `Unknown`.
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
    }
}

impl ErrorInfo {
    /// `code` as an [`ErrorCode`].
    pub fn error_code(&self) -> ErrorCode {
        ErrorCode::from_wire(&self.code)
    }
}
