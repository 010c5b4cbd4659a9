//! [`FlashStore`]: the keeper's record in NOR flash, through sequential-storage's map over embedded-storage-async.
//!
//! sequential-storage writes each new value after the old ones and only then marks the old ones superseded, so a
//! power cut during a save leaves either the old record or the new one (it repairs a half-written page on the next
//! access). `tests/keeper_flash.rs` cuts the power at every write and erase of a long run of saves to check this.
use super::store::{Record, RecordError, SessionStore};
use core::ops::Range;
use embedded_storage_async::nor_flash::NorFlash;
use sequential_storage::cache::{Cache, Uncached};
use sequential_storage::map::{MapConfig, MapConfigError, MapStorage};

/// The map key of the record.
const KEY: u8 = 0x51;
/// Key, record and word padding.
const BUF: usize = 256;

/// Why the flash store failed.
#[derive(Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum FlashStoreError<E> {
    /// sequential-storage (the flash, a full or corrupted range).
    Flash(sequential_storage::Error<E>),
    /// The stored bytes are not a record.
    Record(RecordError),
}

/// The record in a range of NOR flash (at least two erase pages; the record takes under 200 bytes per save, so a
/// few 4 KiB pages last for thousands of saves between erases).
pub struct FlashStore<F: NorFlash> {
    map: MapStorage<u8, F, Cache<Uncached, Uncached, Uncached, u8>>,
    buf: [u8; BUF],
}

impl<F: NorFlash> core::fmt::Debug for FlashStore<F> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("FlashStore").finish_non_exhaustive()
    }
}

impl<F: NorFlash> FlashStore<F> {
    /// The store in `range` of `flash` (page-aligned, at least two pages).
    ///
    /// # Errors
    /// A range sequential-storage cannot use.
    pub fn new(flash: F, range: Range<u32>) -> Result<Self, MapConfigError> {
        Ok(FlashStore {
            map: MapStorage::new(flash, MapConfig::try_new(range)?, Cache::new_uncached()),
            buf: [0; BUF],
        })
    }

    /// Gives the flash back.
    pub fn into_inner(self) -> F {
        self.map.destroy().0
    }
}

impl<F: NorFlash> SessionStore for FlashStore<F> {
    type Error = FlashStoreError<F::Error>;

    async fn load(&mut self) -> Result<Option<Record>, Self::Error> {
        let got = self
            .map
            .fetch_item::<&[u8]>(&mut self.buf, &KEY)
            .await
            .map_err(FlashStoreError::Flash)?;
        match got {
            None => Ok(None),
            Some(bytes) => {
                let r = Record::decode(bytes).map_err(FlashStoreError::Record)?;
                Ok((!r.is_empty()).then_some(r))
            }
        }
    }

    async fn save(&mut self, record: &Record) -> Result<(), Self::Error> {
        let mut enc = [0u8; Record::MAX_LEN];
        let n = record.encode(&mut enc).map_err(FlashStoreError::Record)?;
        let value: &[u8] = enc.get(..n).unwrap_or(&[]);
        self.map
            .store_item(&mut self.buf, &KEY, &value)
            .await
            .map_err(FlashStoreError::Flash)
    }

    /// Stores an empty record (no erase, no multi-write flash needed); `load` then answers `None`.
    async fn clear(&mut self) -> Result<(), Self::Error> {
        self.save(&Record::empty(super::ApiVersion::default())).await
    }
}
