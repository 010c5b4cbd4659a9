//! What survives a reboot: one [`Record`] in a [`SessionStore`].
use super::machine::ApiVersion;
use core::fmt::Write as _;
use qod_core::common::SessionId;

/// The one record a keeper keeps: enough to delete or adopt, after a reboot, every session it may have left.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub struct Record {
    /// The API the sessions belong to.
    pub version: ApiVersion,
    /// The session the keeper holds.
    pub session: Option<SessionId>,
    /// Its `expiresAt` (Unix seconds of the server's clock), as last seen.
    pub expires_at: Option<i64>,
    /// A session being deleted (an old, lost or replaced one).
    pub retiring: Option<SessionId>,
    /// A create may have been acted on without its answer arriving (or is about to be sent).
    pub create_in_flight: bool,
}

/// A record that cannot be read back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum RecordError {
    /// Not a keeper record, or a line that is not understood.
    Malformed,
    /// The buffer is too small ([`Record::MAX_LEN`] always suffices).
    BufferTooSmall,
}

impl core::fmt::Display for RecordError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            RecordError::Malformed => "not a readable keeper record",
            RecordError::BufferTooSmall => "record buffer too small",
        })
    }
}

impl core::error::Error for RecordError {}

const MAGIC: &str = "qod-keeper 1";

struct Cursor<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl core::fmt::Write for Cursor<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let end = self.len.checked_add(s.len()).ok_or(core::fmt::Error)?;
        let dst = self.buf.get_mut(self.len..end).ok_or(core::fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// A session id as stored: 1–36 visible ASCII characters.
fn id(s: &str) -> Result<SessionId, RecordError> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(RecordError::Malformed);
    }
    SessionId::try_from(s).map_err(|_| RecordError::Malformed)
}

impl Record {
    /// The longest encoding.
    pub const MAX_LEN: usize = 192;

    /// Nothing to remember for `version`.
    pub const fn empty(version: ApiVersion) -> Self {
        Record {
            version,
            session: None,
            expires_at: None,
            retiring: None,
            create_in_flight: false,
        }
    }

    /// Whether there is nothing to remember (a store may then hold no record at all).
    pub fn is_empty(&self) -> bool {
        self.session.is_none() && self.retiring.is_none() && !self.create_in_flight
    }

    /// Writes the record into `buf` as a few lines of text (`qod-keeper 1`, `api 0.10.1`, `session …`,
    /// `expires …`, `retiring …`, `in-flight`); returns the length.
    ///
    /// # Errors
    /// [`RecordError::BufferTooSmall`].
    pub fn encode(&self, buf: &mut [u8]) -> Result<usize, RecordError> {
        let mut c = Cursor { buf, len: 0 };
        let mut go = || -> core::fmt::Result {
            writeln!(c, "{MAGIC}")?;
            writeln!(c, "api {}", self.version.as_str())?;
            if let Some(s) = &self.session {
                writeln!(c, "session {s}")?;
            }
            if let Some(e) = self.expires_at {
                writeln!(c, "expires {e}")?;
            }
            if let Some(r) = &self.retiring {
                writeln!(c, "retiring {r}")?;
            }
            if self.create_in_flight {
                writeln!(c, "in-flight")?;
            }
            Ok(())
        };
        go().map_err(|_| RecordError::BufferTooSmall)?;
        Ok(c.len)
    }

    /// Reads what [`encode`](Self::encode) wrote. Anything else, whatever its bytes, is
    /// [`RecordError::Malformed`].
    ///
    /// # Errors
    /// [`RecordError::Malformed`].
    pub fn decode(bytes: &[u8]) -> Result<Self, RecordError> {
        let text = core::str::from_utf8(bytes).map_err(|_| RecordError::Malformed)?;
        let mut lines = text.lines();
        if lines.next() != Some(MAGIC) {
            return Err(RecordError::Malformed);
        }
        let version = lines
            .next()
            .and_then(|l| l.strip_prefix("api "))
            .and_then(ApiVersion::parse)
            .ok_or(RecordError::Malformed)?;
        let mut r = Record::empty(version);
        for line in lines {
            let (key, value) = line.split_once(' ').unwrap_or((line, ""));
            match key {
                "session" if r.session.is_none() => r.session = Some(id(value)?),
                "retiring" if r.retiring.is_none() => r.retiring = Some(id(value)?),
                "expires" if r.expires_at.is_none() => {
                    r.expires_at = Some(value.parse().map_err(|_| RecordError::Malformed)?)
                }
                "in-flight" if value.is_empty() && !r.create_in_flight => r.create_in_flight = true,
                _ => return Err(RecordError::Malformed),
            }
        }
        Ok(r)
    }
}

/// Where a keeper keeps its [`Record`] across restarts. Implementations: [`MemoryStore`] (no persistence),
/// `FlashStore` (feature `flash-store`: NOR flash through sequential-storage, power-fail safe) and `FileStore`
/// (feature `std`: a file replaced atomically).
///
/// A save must be all or nothing: after a power cut the store holds either the old record or the new one.
#[allow(async_fn_in_trait)]
pub trait SessionStore {
    /// The store's error.
    type Error: core::fmt::Debug;

    /// The stored record, if any.
    ///
    /// # Errors
    /// The store's; a record that cannot be read is an error, not `None` (sessions may depend on it).
    async fn load(&mut self) -> Result<Option<Record>, Self::Error>;

    /// Replaces the stored record.
    ///
    /// # Errors
    /// The store's.
    async fn save(&mut self, record: &Record) -> Result<(), Self::Error>;

    /// Removes the stored record.
    ///
    /// # Errors
    /// The store's.
    async fn clear(&mut self) -> Result<(), Self::Error>;
}

impl<S: SessionStore + ?Sized> SessionStore for &mut S {
    type Error = S::Error;

    async fn load(&mut self) -> Result<Option<Record>, Self::Error> {
        (**self).load().await
    }

    async fn save(&mut self, record: &Record) -> Result<(), Self::Error> {
        (**self).save(record).await
    }

    async fn clear(&mut self) -> Result<(), Self::Error> {
        (**self).clear().await
    }
}

/// A store in RAM: survives a restart of the keeper, not of the device. For applications without persistence and
/// for tests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemoryStore {
    /// The record held.
    pub record: Option<Record>,
    /// Saves and clears done.
    pub writes: u32,
}

impl SessionStore for MemoryStore {
    type Error = core::convert::Infallible;

    async fn load(&mut self) -> Result<Option<Record>, Self::Error> {
        Ok(self.record.clone())
    }

    async fn save(&mut self, record: &Record) -> Result<(), Self::Error> {
        self.record = Some(record.clone());
        self.writes = self.writes.saturating_add(1);
        Ok(())
    }

    async fn clear(&mut self) -> Result<(), Self::Error> {
        self.record = None;
        self.writes = self.writes.saturating_add(1);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> Record {
        Record {
            version: ApiVersion::V0_10_1,
            session: Some("3fa85f64-5717-4562-b3fc-2c963f66afa6".try_into().unwrap()),
            expires_at: Some(-1_700_000_000_123),
            retiring: Some("3fa85f64-5717-4562-b3fc-2c963f66afa7".try_into().unwrap()),
            create_in_flight: true,
        }
    }

    #[test]
    fn test_record_roundtrip_and_max_len() {
        let mut buf = [0u8; Record::MAX_LEN];
        let mut r = full();
        r.expires_at = Some(i64::MIN);
        let n = r.encode(&mut buf).unwrap();
        assert!(n <= Record::MAX_LEN);
        assert_eq!(Record::decode(&buf[..n]), Ok(r.clone()));
        let empty = Record::empty(ApiVersion::V1_1_0);
        let n = empty.encode(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"qod-keeper 1\napi 1.1.0\n");
        assert_eq!(Record::decode(&buf[..n]), Ok(empty));
        assert_eq!(r.encode(&mut [0u8; 40]), Err(RecordError::BufferTooSmall));
    }

    #[test]
    fn test_record_refuses_garbage() {
        let mut buf = [0u8; Record::MAX_LEN];
        let n = full().encode(&mut buf).unwrap();
        // Every truncation either is a complete shorter record or is refused; none panics.
        for i in 0..n {
            let _ = Record::decode(&buf[..i]);
        }
        for bad in [
            &b""[..],
            b"qod-keeper 2\napi 0.10.1\n",
            b"qod-keeper 1\napi 0.9\n",
            b"qod-keeper 1\napi 0.10.1\nsession \n",
            b"qod-keeper 1\napi 0.10.1\nsession a b\n",
            b"qod-keeper 1\napi 0.10.1\nsession a\nsession b\n",
            b"qod-keeper 1\napi 0.10.1\nexpires 1x\n",
            b"qod-keeper 1\napi 0.10.1\nin-flight yes\n",
            b"qod-keeper 1\napi 0.10.1\nwhat\n",
            b"qod-keeper 1\napi 0.10.1\nsession 0123456789012345678901234567890123456789\n",
            b"\xff\xfe",
        ] {
            assert_eq!(Record::decode(bad), Err(RecordError::Malformed), "{bad:?}");
        }
    }
}
