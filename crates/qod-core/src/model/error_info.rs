use super::{object, wire_enum, FieldFn, Schema, R};
use crate::json::{Decode, Encode, Failed, Reader, Writer};
use crate::limits;
use heapless::String;

/// `ErrorInfo`: the body of every CAMARA error response.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ErrorInfo {
    /// `status`: the HTTP status the server meant.
    pub status: u16,
    /// `code`: e.g. `INVALID_ARGUMENT` (see [`ErrorCode`]).
    pub code: String<{ limits::ERROR_CODE }>,
    /// `message`: a human-readable explanation.
    pub message: String<{ limits::ERROR_MESSAGE }>,
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

impl Decode for ErrorInfo {
    #[inline(never)]
    fn decode_from(&mut self, r: &mut Reader<'_>) -> R {
        const SCHEMA: Schema = Schema {
            names: &["status", "code", "message"],
            required: 0b111,
        };
        const FIELDS: &[FieldFn<ErrorInfo>] = &[
            |v, r| v.status.decode_from(r),
            |v, r| v.code.decode_from(r),
            |v, r| v.message.decode_from(r),
        ];
        object(r, self, &SCHEMA, FIELDS)
    }
}

impl Encode for ErrorInfo {
    fn encode_to(&self, w: &mut Writer<'_>) -> Result<(), Failed> {
        let mut o = w.object()?;
        o.u32("status", u32::from(self.status))?;
        o.str("code", &self.code)?;
        o.str("message", &self.message)?;
        o.end()
    }
}
