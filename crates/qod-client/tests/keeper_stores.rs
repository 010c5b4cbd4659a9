//! The keeper's stores: `FlashStore` on an in-RAM NOR flash that can lose power in the middle of any write or
//! erase, and `FileStore`'s atomic replacement.

use embedded_storage_async::nor_flash::{ErrorType, NorFlash, NorFlashError, NorFlashErrorKind, ReadNorFlash};
use futures_executor::block_on;
use qod_client::keeper::{ApiVersion, FileStore, FlashStore, Record, SessionStore};
use std::cell::RefCell;
use std::rc::Rc;

const PAGE: usize = 512;
const PAGES: usize = 4;
const WORD: usize = 4;

#[derive(Debug, Clone)]
struct Mem {
    data: Vec<u8>,
    /// Operations (word writes, page erases) left before the power goes; `None`: never.
    ops_left: Option<u32>,
    /// The power is gone: every access fails.
    dead: bool,
    /// Operations done.
    ops: u32,
}

/// NOR flash in RAM: writes can only clear bits, erases set a page to 0xFF. When the power is cut, the word being
/// written gets only its first half, the page being erased only its first half, and nothing after succeeds.
#[derive(Debug, Clone)]
struct CutFlash(Rc<RefCell<Mem>>);

#[derive(Debug)]
struct PowerLost;

impl NorFlashError for PowerLost {
    fn kind(&self) -> NorFlashErrorKind {
        NorFlashErrorKind::Other
    }
}

impl ErrorType for CutFlash {
    type Error = PowerLost;
}

impl CutFlash {
    fn new() -> Self {
        CutFlash(Rc::new(RefCell::new(Mem {
            data: vec![0xFF; PAGE * PAGES],
            ops_left: None,
            dead: false,
            ops: 0,
        })))
    }

    /// Counts an operation; `false` when the power goes during it.
    fn tick(&self) -> Result<bool, PowerLost> {
        let mut m = self.0.borrow_mut();
        if m.dead {
            return Err(PowerLost);
        }
        m.ops += 1;
        match m.ops_left {
            Some(0) => {
                m.dead = true;
                Ok(false)
            }
            Some(n) => {
                m.ops_left = Some(n - 1);
                Ok(true)
            }
            None => Ok(true),
        }
    }

    fn power_on(&self) {
        let mut m = self.0.borrow_mut();
        m.dead = false;
        m.ops_left = None;
    }
}

impl ReadNorFlash for CutFlash {
    const READ_SIZE: usize = 1;

    async fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), PowerLost> {
        let m = self.0.borrow();
        if m.dead {
            return Err(PowerLost);
        }
        let o = offset as usize;
        bytes.copy_from_slice(&m.data[o..o + bytes.len()]);
        Ok(())
    }

    fn capacity(&self) -> usize {
        PAGE * PAGES
    }
}

impl NorFlash for CutFlash {
    const WRITE_SIZE: usize = WORD;
    const ERASE_SIZE: usize = PAGE;

    async fn erase(&mut self, from: u32, to: u32) -> Result<(), PowerLost> {
        assert!((from as usize).is_multiple_of(PAGE) && (to as usize).is_multiple_of(PAGE));
        for page in (from as usize..to as usize).step_by(PAGE) {
            let whole = self.tick()?;
            let n = if whole { PAGE } else { PAGE / 2 };
            self.0.borrow_mut().data[page..page + n].fill(0xFF);
            if !whole {
                return Err(PowerLost);
            }
        }
        Ok(())
    }

    async fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), PowerLost> {
        assert!((offset as usize).is_multiple_of(WORD) && bytes.len().is_multiple_of(WORD));
        for (i, word) in bytes.chunks(WORD).enumerate() {
            let whole = self.tick()?;
            let at = offset as usize + i * WORD;
            let n = if whole { WORD } else { WORD / 2 };
            let mut m = self.0.borrow_mut();
            for (cell, bits) in m.data[at..at + n].iter_mut().zip(word) {
                *cell &= bits;
            }
            if !whole {
                return Err(PowerLost);
            }
        }
        Ok(())
    }
}

fn record(i: u32) -> Record {
    qod_core::fill!(Record {
        version: ApiVersion::V0_10_1,
        session: (i % 4 != 3).then(|| format!("3fa85f64-5717-4562-b3fc-{i:012}").as_str().try_into().unwrap()),
        expires_at: i.is_multiple_of(2).then_some(1_800_000_000 + i64::from(i)),
        retiring: (i % 5 == 1).then(|| format!("00000000-0000-4000-8000-{i:012}").as_str().try_into().unwrap()),
        create_in_flight: i.is_multiple_of(3) || i % 4 == 3,
    })
}

fn store(flash: &CutFlash) -> FlashStore<CutFlash> {
    FlashStore::new(flash.clone(), 0..(PAGE * PAGES) as u32).unwrap()
}

#[test]
fn test_flash_store_roundtrip_and_clear() {
    let flash = CutFlash::new();
    block_on(async {
        let mut s = store(&flash);
        assert_eq!(s.load().await.unwrap(), None);
        for i in 0..200 {
            s.save(&record(i)).await.unwrap();
            assert_eq!(s.load().await.unwrap(), Some(record(i)));
        }
        // A new instance over the same flash (a reboot) reads the last one.
        assert_eq!(store(&flash).load().await.unwrap(), Some(record(199)));
        s.clear().await.unwrap();
        assert_eq!(s.load().await.unwrap(), None);
        assert_eq!(store(&flash).load().await.unwrap(), None);
    });
    // 200 saves of ~150 bytes went round the 4 pages of 512 bytes many times.
    assert!(flash.0.borrow().ops > 200 * 15, "{} operations", flash.0.borrow().ops);
}

/// For each of 60 saves (across many page turns), the power is cut at every single write and erase the save makes:
/// after the reboot the store holds the record before or the record after, and the next save works.
#[test]
fn test_flash_store_survives_a_power_cut_at_every_step() {
    let base = CutFlash::new();
    let mut cases = 0;
    let mut saw_old = 0;
    let mut saw_new = 0;
    block_on(async {
        let mut s = store(&base);
        s.save(&record(0)).await.unwrap();
        for i in 1..60u32 {
            let snapshot = base.0.borrow().clone();
            // How many operations this save takes without a cut.
            let ops = {
                let f = CutFlash(Rc::new(RefCell::new(snapshot.clone())));
                let before = f.0.borrow().ops;
                store(&f).save(&record(i)).await.unwrap();
                let after = f.0.borrow().ops;
                after - before
            };
            for cut in 0..ops {
                let f = CutFlash(Rc::new(RefCell::new(snapshot.clone())));
                f.0.borrow_mut().ops_left = Some(cut);
                assert!(
                    store(&f).save(&record(i)).await.is_err(),
                    "save {i} cut at {cut} of {ops}"
                );
                f.power_on();
                let got = store(&f).load().await.unwrap();
                if got == Some(record(i - 1)) {
                    saw_old += 1;
                } else if got == Some(record(i)) {
                    saw_new += 1;
                } else {
                    panic!("save {i} cut at {cut}/{ops}: {got:?}");
                }
                // And the store works on: the next save and load.
                let mut again = store(&f);
                again.save(&record(i + 100)).await.unwrap();
                assert_eq!(store(&f).load().await.unwrap(), Some(record(i + 100)));
                cases += 1;
            }
            s.save(&record(i)).await.unwrap();
        }
    });
    assert!(cases > 1_000, "{cases} power cuts");
    assert!(saw_old > 0 && saw_new > 0, "old {saw_old}, new {saw_new}");
}

#[test]
fn test_flash_store_refuses_a_bad_range() {
    assert!(FlashStore::new(CutFlash::new(), 0..PAGE as u32).is_err());
    assert!(FlashStore::new(CutFlash::new(), 1..(2 * PAGE) as u32).is_err());
}

#[test]
fn test_file_store_replaces_atomically() {
    let dir = std::env::temp_dir().join(format!("qod-keeper-store-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("state");
    let _ = std::fs::remove_file(&path);
    block_on(async {
        let mut s = FileStore::new(&path);
        assert_eq!(s.load().await.unwrap(), None);
        s.save(&record(1)).await.unwrap();
        assert_eq!(FileStore::new(&path).load().await.unwrap(), Some(record(1)));
        assert!(!dir.join("state.tmp").exists(), "the temporary file was renamed");
        // A crash after the temporary file was written but before the rename: the record is the old one.
        std::fs::write(dir.join("state.tmp"), b"qod-keeper 1\napi 0.10.1\nsess").unwrap();
        assert_eq!(s.load().await.unwrap(), Some(record(1)));
        s.save(&record(2)).await.unwrap();
        assert_eq!(s.load().await.unwrap(), Some(record(2)));
        s.save(&Record::empty(ApiVersion::V0_10_1)).await.unwrap();
        assert_eq!(s.load().await.unwrap(), None, "an empty record is none");
        s.clear().await.unwrap();
        assert!(!path.exists());
        s.clear().await.unwrap();
        // A file that is not a record is an error, not "nothing stored".
        std::fs::write(&path, b"garbage").unwrap();
        let e = s.load().await.unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidData);
    });
    std::fs::remove_dir_all(&dir).unwrap();
}
