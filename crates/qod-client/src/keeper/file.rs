//! [`FileStore`]: the keeper's record in a file, for gateways.
use super::store::{Record, SessionStore};
use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

/// The record in a file, replaced atomically: written to `FILE.tmp` in the same directory, flushed to disk
/// (`fsync`), renamed over `FILE`, and the directory flushed, so a crash or power cut leaves the old record or the
/// new one, never a mix. A missing file is no record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStore {
    path: PathBuf,
}

impl FileStore {
    /// The store at `path` (nothing is touched until the first call).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileStore { path: path.into() }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn tmp(&self) -> PathBuf {
        let mut name = self.path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
        name.push(".tmp");
        self.path.with_file_name(name)
    }

    fn sync_dir(&self) -> io::Result<()> {
        #[cfg(unix)]
        {
            let dir = match self.path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            fs::File::open(dir)?.sync_all()?;
        }
        Ok(())
    }
}

impl SessionStore for FileStore {
    type Error = io::Error;

    async fn load(&mut self) -> io::Result<Option<Record>> {
        let bytes = match fs::read(&self.path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let r = Record::decode(&bytes)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("{}: {e}", self.path.display())))?;
        Ok((!r.is_empty()).then_some(r))
    }

    async fn save(&mut self, record: &Record) -> io::Result<()> {
        let mut buf = [0u8; Record::MAX_LEN];
        let n = record
            .encode(&mut buf)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
        let tmp = self.tmp();
        {
            let mut f = fs::File::create(&tmp)?;
            f.write_all(buf.get(..n).unwrap_or(&[]))?;
            f.sync_all()?;
        }
        fs::rename(&tmp, &self.path)?;
        self.sync_dir()
    }

    async fn clear(&mut self) -> io::Result<()> {
        match fs::remove_file(&self.path) {
            Ok(()) => self.sync_dir(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        }
    }
}
