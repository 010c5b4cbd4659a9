//! Decode and encode of the full SessionInfo example: qod-core vs serde_json into an equivalent std struct
//! (String/Vec), and serde-json-core into the same heapless models, measured in the same run.
//!
//! `cargo bench -p qod-core --bench codec` runs criterion groups, then an interleaved harness (the variants take
//! turns, round after round; ratio = median of per-round ratios, which is robust to the noise of shared machines),
//! and prints the ratios and the heap allocations per operation (counted by an instrumented global allocator).
use criterion::Criterion;
use qod_core::model::SessionInfo;
use serde::{Deserialize, Serialize};
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};
use std::alloc::System;
use std::hint::black_box;
use std::time::Instant;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const DOC: &[u8] = include_bytes!("../tests/vectors/session_info_full.json");

mod std_model {
    use super::*;
    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    #[serde(rename_all = "camelCase")]
    pub struct SessionInfo {
        pub device: Device,
        pub application_server: ApplicationServer,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub device_ports: Option<PortsSpec>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub application_server_ports: Option<PortsSpec>,
        pub qos_profile: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub webhook: Option<Webhook>,
        pub session_id: String,
        pub duration: u32,
        pub started_at: i64,
        pub expires_at: i64,
        pub qos_status: QosStatus,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub messages: Vec<Message>,
    }
    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    #[serde(rename_all = "camelCase")]
    pub struct Device {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub phone_number: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub network_access_identifier: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub ipv4_address: Option<DeviceIpv4Addr>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub ipv6_address: Option<String>,
    }
    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    #[serde(rename_all = "camelCase")]
    pub struct DeviceIpv4Addr {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub public_address: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub private_address: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub public_port: Option<u16>,
    }
    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    #[serde(rename_all = "camelCase")]
    pub struct ApplicationServer {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub ipv4_address: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub ipv6_address: Option<String>,
    }
    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    pub struct PortsSpec {
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub ranges: Vec<PortRange>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub ports: Vec<u16>,
    }
    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    pub struct PortRange {
        pub from: u16,
        pub to: u16,
    }
    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    #[serde(rename_all = "camelCase")]
    pub struct Webhook {
        pub notification_url: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub notification_auth_token: Option<String>,
    }
    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    pub enum QosStatus {
        Requested,
        Available,
        Unavailable,
    }
    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    pub struct Message {
        pub severity: Severity,
        pub description: String,
    }
    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    pub enum Severity {
        Info,
        Warning,
    }
}

type Variant<'a> = (&'static str, Box<dyn FnMut() + 'a>);

/// Interleaved harness: `rounds` rounds; in each, every variant runs `iters` times (order rotating).
/// Returns the median ns/op of each variant and the median per-round ratio of each variant to variant 0.
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

fn allocations(mut f: impl FnMut()) -> usize {
    f(); // warm
    let region = Region::new(GLOBAL);
    f();
    region.change().allocations
}

fn main() {
    // Check that all variants agree before timing anything.
    let mut ours = SessionInfo::default();
    qod_core::decode_into(DOC, &mut ours).unwrap();
    let theirs: std_model::SessionInfo = serde_json::from_slice(DOC).unwrap();
    let mut scratch = [0u8; 512];
    let (sjc, _): (SessionInfo, usize) = serde_json_core::from_slice_escaped(DOC, &mut scratch).unwrap();
    assert_eq!(ours, sjc);
    let mut out = [0u8; 2048];
    let n = qod_core::encode(&ours, &mut out).unwrap();
    assert_eq!(&out[..n], serde_json::to_vec(&theirs).unwrap().as_slice());
    assert_eq!(&out[..n], DOC.trim_ascii_end());

    let mut c = Criterion::default()
        .configure_from_args()
        .warm_up_time(std::time::Duration::from_secs(1));
    {
        let mut g = c.benchmark_group("decode SessionInfo");
        g.bench_function("serde_json -> String/Vec", |b| {
            b.iter(|| black_box(serde_json::from_slice::<std_model::SessionInfo>(black_box(DOC)).unwrap()))
        });
        g.bench_function("qod-core decode_into heapless", |b| {
            b.iter(|| qod_core::decode_into(black_box(DOC), black_box(&mut ours)).unwrap())
        });
        g.bench_function("serde-json-core from_slice_escaped heapless", |b| {
            b.iter(|| {
                black_box(serde_json_core::from_slice_escaped::<SessionInfo>(black_box(DOC), &mut scratch).unwrap())
            })
        });
        g.finish();
        let mut g = c.benchmark_group("encode SessionInfo");
        let mut vec_buf = Vec::with_capacity(2048);
        g.bench_function("serde_json to_writer (reused Vec)", |b| {
            b.iter(|| {
                vec_buf.clear();
                serde_json::to_writer(&mut vec_buf, black_box(&theirs)).unwrap();
            })
        });
        g.bench_function("qod-core encode into [u8]", |b| {
            b.iter(|| qod_core::encode(black_box(&ours), &mut out).unwrap())
        });
        g.bench_function("serde-json-core to_slice", |b| {
            b.iter(|| serde_json_core::to_slice(black_box(&ours), &mut out).unwrap())
        });
        g.finish();
    }
    c.final_summary();
    // The ratios only mean something in an optimized `cargo bench` run (which passes `--bench`); test runners
    // (`cargo test --benches`, nextest's `--list`) just check that the benchmarks run.
    let args: Vec<String> = std::env::args().collect();
    if !args.iter().any(|a| a == "--bench") || args.iter().any(|a| a == "--list") {
        return;
    }

    // Interleaved ratios (what to quote) and heap allocations per operation.
    let (rounds, iters) = if std::env::args().any(|a| a == "--quick") {
        (31, 200)
    } else {
        (301, 1000)
    };
    let mut out2 = [0u8; 2048];
    let mut out3 = [0u8; 2048];
    let mut scratch2 = [0u8; 512];
    let mut ours2 = SessionInfo::default();
    let dec = interleaved(
        &mut [
            (
                "serde_json -> String/Vec",
                Box::new(|| {
                    drop(black_box(
                        serde_json::from_slice::<std_model::SessionInfo>(black_box(DOC)).unwrap(),
                    ))
                }),
            ),
            (
                "qod-core decode_into",
                Box::new(|| qod_core::decode_into(black_box(DOC), black_box(&mut ours2)).unwrap()),
            ),
            (
                "serde-json-core from_slice_escaped",
                Box::new(|| {
                    drop(black_box(
                        serde_json_core::from_slice_escaped::<SessionInfo>(black_box(DOC), &mut scratch2).unwrap(),
                    ))
                }),
            ),
        ],
        rounds,
        iters,
    );
    let mut vec_buf = Vec::with_capacity(2048);
    let enc = interleaved(
        &mut [
            (
                "serde_json to_writer",
                Box::new(|| {
                    vec_buf.clear();
                    serde_json::to_writer(&mut vec_buf, black_box(&theirs)).unwrap()
                }),
            ),
            (
                "qod-core encode",
                Box::new(|| {
                    black_box(qod_core::encode(black_box(&ours), &mut out2).unwrap());
                }),
            ),
            (
                "serde-json-core to_slice",
                Box::new(|| {
                    black_box(serde_json_core::to_slice(black_box(&ours), &mut out3).unwrap());
                }),
            ),
        ],
        rounds,
        iters,
    );
    let mut ours3 = SessionInfo::default();
    let a_ours = allocations(|| qod_core::decode_into(DOC, &mut ours3).unwrap());
    let a_enc = allocations(|| {
        qod_core::encode(&ours, &mut out2).unwrap();
    });
    let a_theirs = allocations(|| drop(serde_json::from_slice::<std_model::SessionInfo>(DOC).unwrap()));
    println!(
        "\n== Interleaved: {rounds} rounds x {iters} iterations, {} byte SessionInfo ==",
        DOC.len()
    );
    println!(
        "{:<40} {:>10} {:>14} {:>12}",
        "variant", "ns/op", "ratio vs sj", "heap allocs"
    );
    let names_d = [
        "serde_json -> String/Vec",
        "qod-core decode_into heapless",
        "serde-json-core from_slice_escaped",
    ];
    let allocs_d = [a_theirs.to_string(), a_ours.to_string(), "0".into()];
    for ((name, (ns, ratio)), allocs) in names_d.iter().zip(&dec).zip(&allocs_d) {
        println!("decode {name:<33} {ns:>10.0} {ratio:>14.2} {allocs:>12}");
    }
    let names_e = [
        "serde_json to_writer (reused Vec)",
        "qod-core encode into [u8]",
        "serde-json-core to_slice",
    ];
    for (name, (ns, ratio)) in names_e.iter().zip(&enc) {
        println!(
            "encode {name:<33} {ns:>10.0} {ratio:>14.2} {:>12}",
            if name.starts_with("qod") {
                a_enc.to_string()
            } else {
                "-".into()
            }
        );
    }
    println!(
        "size_of::<SessionInfo>() = {} bytes (default limits)",
        core::mem::size_of::<SessionInfo>()
    );
    let (d, e) = (dec[1].1, enc[1].1);
    println!(
        "TARGETS: decode {d:.2}x (<= 0.80x: {}), encode {e:.2}x (<= 1.00x: {}), decode heap allocations {a_ours} (0: {})",
        if d <= 0.8 { "met" } else { "MISSED" },
        if e <= 1.0 { "met" } else { "MISSED" },
        if a_ours == 0 { "met" } else { "MISSED" }
    );
}
