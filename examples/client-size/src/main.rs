//! A firmware-shaped stub that links qod-core + qod-client + qod-embassy (every operation, with keep-alive, timeouts,
//! retry) on an embassy-net stack, so that `size-report.sh` can measure the flash they cost on a microcontroller.
//! The NIC, the time driver and the critical section are do-nothing stand-ins (a real firmware brings its own). Built,
//! never run.
#![no_std]
#![no_main]

use core::future::Future;
use core::hint::black_box;
use core::pin::pin;
use core::task::{Context, Poll, Waker};
use embassy_net::{Config, StackResources};
use embassy_net_driver::{Capabilities, Driver, HardwareAddress, LinkState, RxToken, TxToken};
use qod_client::Url;
use qod_client::{Client, Config as ClientConfig};
use qod_core::model::{CreateSession, QosProfile, QosProfileList, SessionInfo};
use qod_embassy::EmbassyConnector;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}

struct Cs;
critical_section::set_impl!(Cs);
unsafe impl critical_section::Impl for Cs {
    unsafe fn acquire() -> critical_section::RawRestoreState {}
    unsafe fn release(_: critical_section::RawRestoreState) {}
}

struct Clock;
impl embassy_time_driver::Driver for Clock {
    fn now(&self) -> u64 {
        black_box(0)
    }
    fn schedule_wake(&self, _at: u64, waker: &Waker) {
        black_box(waker);
    }
}
embassy_time_driver::time_driver_impl!(static CLOCK: Clock = Clock);

struct Nic;
struct Rx;
struct Tx;
impl RxToken for Rx {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, f: F) -> R {
        let mut b = [0u8; 1514];
        f(black_box(&mut b[..]))
    }
}
impl TxToken for Tx {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let mut b = [0u8; 1514];
        let r = f(&mut b[..len.min(1514)]);
        black_box(&b);
        r
    }
}
impl Driver for Nic {
    type RxToken<'a> = Rx;
    type TxToken<'a> = Tx;
    fn receive(&mut self, _: &mut Context) -> Option<(Rx, Tx)> {
        black_box(true).then_some((Rx, Tx))
    }
    fn transmit(&mut self, _: &mut Context) -> Option<Tx> {
        Some(Tx)
    }
    fn link_state(&mut self, _: &mut Context) -> LinkState {
        LinkState::Up
    }
    fn capabilities(&self) -> Capabilities {
        let mut c = Capabilities::default();
        c.max_transmission_unit = 1514;
        c
    }
    fn hardware_address(&self) -> HardwareAddress {
        HardwareAddress::Ethernet([2, 0, 0, 0, 0, 1])
    }
}

async fn flow(client: &mut qod_embassy::Client<'_, '_>) -> u32 {
    let mut s = SessionInfo::default();
    let mut n = 0;
    let body: CreateSession = black_box(CreateSession::default());
    n += client.create_session(&body, &mut s).await.is_ok() as u32;
    let id = s.session_id.clone();
    n += client
        .wait_until_available(&id, &mut s, qod_client::PollPolicy::new(500, 30_000))
        .await
        .is_ok() as u32;
    n += client.extend_session(&id, 60, &mut s).await.is_ok() as u32;
    n += client.delete_session(&id).await.is_ok() as u32;
    let mut p = QosProfile::default();
    n += client.qos_profile("QOS_E", &mut p).await.is_ok() as u32;
    let mut l = QosProfileList::new();
    n += client.qos_profiles(None, None, &mut l).await.is_ok() as u32;
    black_box((&s, &p, &l));
    client.close().await;
    n
}

fn spin<F: Future>(f: F) -> ! {
    let mut cx = Context::from_waker(Waker::noop());
    let mut f = pin!(f);
    loop {
        if let Poll::Ready(r) = f.as_mut().poll(&mut cx) {
            black_box(&r);
        }
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn _start() -> ! {
    let mut resources = StackResources::<3>::new();
    let config = Config::ipv4_static(embassy_net::StaticConfigV4 {
        address: embassy_net::Ipv4Cidr::new(embassy_net::Ipv4Address::new(10, 0, 2, 15), 24),
        gateway: Some(embassy_net::Ipv4Address::new(10, 0, 2, 2)),
        dns_servers: Default::default(),
    });
    let (stack, mut runner) = embassy_net::new(Nic, config, &mut resources, black_box(1));
    let (mut srx, mut stx) = ([0u8; 1024], [0u8; 1024]);
    if cfg!(feature = "baseline") {
        let mut sock = embassy_net::tcp::TcpSocket::new(stack, &mut srx, &mut stx);
        let raw = async {
            let ep = embassy_net::IpEndpoint::new(embassy_net::Ipv4Address::new(10, 0, 2, 2).into(), 9091);
            let _ = sock.connect(ep).await;
            let _ = sock.write(black_box(b"GET / HTTP/1.1\r\n\r\n")).await;
            let mut b = [0u8; 64];
            let _ = sock.read(&mut b).await;
            black_box(&b);
            sock.close();
            let _ = sock.flush().await;
            1u32
        };
        spin(embassy_futures::select::select(runner.run(), raw))
    }
    let Ok(url) = Url::parse(black_box("http://qod.example:9091/qod/v0")) else {
        spin(core::future::pending::<()>())
    };
    let (mut tx, mut rx) = ([0u8; 512], [0u8; 1024]);
    let conn = EmbassyConnector::new(stack, &mut srx, &mut stx);
    let mut cfg = ClientConfig::new(url);
    cfg.retry = qod_client::RetryPolicy::DEFAULT;
    let mut client = Client::new(&conn, embassy_time::Delay, cfg, &mut tx, &mut rx)
        .with_token(black_box("0123456789abcdef0123456789abcdef01234567"));
    spin(embassy_futures::select::select(runner.run(), flow(&mut client)))
}
