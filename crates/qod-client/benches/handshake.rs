//! What a TLS handshake costs the client on the host, as a ratio to a plaintext exchange, measured in one run against
//! the simulator on loopback (no auth): the device's embedded-tls connector (TLS 1.3, ECDHE P-256, the certificate
//! verified against the CA) over tokio TCP.
//!
//! `cargo bench -p qod-client --features tls,tokio --bench handshake` runs criterion groups for the absolute times,
//! then an interleaved harness (variants take turns, round after round; ratio = median of per-round ratios) and
//! prints the ratios the README quotes. `-- --quick` for a short run.
use criterion::Criterion;
use qod_client::tls::TlsConnector;
use qod_client::tokio::{TokioConnector, TokioDelay};
use qod_client::{Client, Config, Url};
use qod_core::model::QosProfile;
use std::time::Instant;

type Variant<'a> = (&'static str, Box<dyn FnMut() + 'a>);

/// Interleaved harness: median ns/op of each variant and median per-round ratio to variant 0.
fn interleaved(variants: &mut [Variant<'_>], rounds: usize, iters: usize) -> Vec<(f64, f64)> {
    let k = variants.len();
    let mut times = vec![Vec::with_capacity(rounds); k];
    for round in 0..rounds {
        for j in 0..k {
            let i = (j + round) % k;
            let f = &mut variants[i].1;
            let t = Instant::now();
            for _ in 0..iters {
                f();
            }
            times[i].push(t.elapsed().as_nanos() as f64 / iters as f64);
        }
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(|a, b| a.total_cmp(b));
        v[v.len() / 2]
    };
    (0..k)
        .map(|i| {
            let ratios: Vec<f64> = times[i].iter().zip(&times[0]).map(|(a, b)| a / b).collect();
            (median(times[i].clone()), median(ratios))
        })
        .collect()
}

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let ca = qod_sim::pki::TestCa::new("bench CA").unwrap();
    let leaf = ca.issue(&["localhost"], qod_sim::pki::Validity::current()).unwrap();
    let serve = |tls: bool| {
        rt.block_on(qod_sim::serve(qod_sim::Config {
            auth: qod_sim::AuthConfig {
                enabled: false,
                ..Default::default()
            },
            tls: tls.then(|| qod_sim::TlsConfig::with_identity(leaf.identity())),
            ..Default::default()
        }))
        .unwrap()
    };
    let (plain_sim, tls_sim) = (serve(false), serve(true));
    let plain_url = format!("http://localhost:{}/qod/v0", plain_sim.local_addr().port());
    let tls_url = format!("https://localhost:{}/qod/v0", tls_sim.local_addr().port());

    // Separate clients for the kept-alive and the reconnecting variants, so that one never pays for the other's
    // close (the TLS connector has one pair of record buffers: one each).
    let (tcp_keep, tcp_new, tcp_tls_keep, tcp_tls_new) = (
        TokioConnector::new(),
        TokioConnector::new(),
        TokioConnector::new(),
        TokioConnector::new(),
    );
    let (mut rec_a, mut rec_b) = (vec![0u8; 16_640], vec![0u8; 1024]);
    let (mut rec_c, mut rec_d) = (vec![0u8; 16_640], vec![0u8; 1024]);
    let tls_keep = TlsConnector::new(&tcp_tls_keep, ca.cert_der(), &mut rec_a, &mut rec_b, rand_core::OsRng);
    let tls_new = TlsConnector::new(&tcp_tls_new, ca.cert_der(), &mut rec_c, &mut rec_d, rand_core::OsRng);
    let mut bufs = [[0u8; 2048]; 8];
    let [b0, b1, b2, b3, b4, b5, b6, b7] = &mut bufs;
    let plain_cfg = Config::new(Url::parse(&plain_url).unwrap());
    let tls_cfg = Config::new(Url::parse(&tls_url).unwrap());
    // One exchange on `client`, then a close unless kept alive; each closure owns its client.
    macro_rules! exchange {
        ($client:expr, $keep:expr) => {{
            let mut c = $client;
            let mut p = QosProfile::default();
            let rt = &rt;
            move || {
                rt.block_on(async {
                    c.qos_profile("QOS_VC", &mut p).await.unwrap();
                    if !$keep {
                        c.close().await;
                    }
                })
            }
        }};
    }
    let mut plain_keep = exchange!(Client::new(&tcp_keep, TokioDelay, plain_cfg, b0, b1), true);
    let mut plain_new = exchange!(Client::new(&tcp_new, TokioDelay, plain_cfg, b2, b3), false);
    let mut tls_keep_x = exchange!(Client::new(&tls_keep, TokioDelay, tls_cfg, b4, b5), true);
    let mut tls_new_x = exchange!(Client::new(&tls_new, TokioDelay, tls_cfg, b6, b7), false);
    // Every client answers (and the kept-alive ones connect) before anything is timed.
    plain_keep();
    plain_new();
    tls_keep_x();
    tls_new_x();

    let mut c = Criterion::default()
        .configure_from_args()
        .warm_up_time(std::time::Duration::from_secs(1))
        .sample_size(30);
    {
        let mut g = c.benchmark_group("GET /qos-profiles/QOS_VC");
        g.bench_function("plaintext, kept-alive connection", |b| b.iter(&mut plain_keep));
        g.bench_function("TLS, kept-alive connection", |b| b.iter(&mut tls_keep_x));
        g.bench_function("TCP connect + exchange + close", |b| b.iter(&mut plain_new));
        g.bench_function("TCP connect + TLS handshake + exchange + close", |b| {
            b.iter(&mut tls_new_x)
        });
        g.finish();
    }
    c.final_summary();
    // The ratios only mean something in an optimized `cargo bench` run (which passes `--bench`); test runners just
    // check that the benchmark runs.
    let args: Vec<String> = std::env::args().collect();
    if !args.iter().any(|a| a == "--bench") || args.iter().any(|a| a == "--list") {
        return;
    }
    let (rounds, iters) = if args.iter().any(|a| a == "--quick") {
        (15, 5)
    } else {
        (61, 10)
    };
    let names = [
        "plaintext exchange, kept-alive",
        "TLS exchange, kept-alive",
        "TCP connect + exchange + close",
        "TCP + TLS handshake + exchange + close",
    ];
    let res = interleaved(
        &mut [
            (names[0], Box::new(plain_keep)),
            (names[1], Box::new(tls_keep_x)),
            (names[2], Box::new(plain_new)),
            (names[3], Box::new(tls_new_x)),
        ],
        rounds,
        iters,
    );
    println!("\n== Interleaved: {rounds} rounds x {iters} iterations, against qod-sim on loopback ==");
    println!("{:<44} {:>12} {:>22}", "variant", "µs/op", "ratio vs plaintext");
    for (name, (ns, ratio)) in names.iter().zip(&res) {
        println!("{name:<44} {:>12.1} {ratio:>22.2}", ns / 1000.0);
    }
    println!(
        "handshake cost: a new TLS connection for one exchange costs {:.1}x a kept-alive plaintext exchange ({:.1}x a new TCP connection)",
        res[3].1,
        res[3].1 / res[2].1
    );
}
