//! Decode and encode of the full SessionInfo example of each API version (v0.10.1, and quality-on-demand 1.1.0):
//! qod-core vs serde_json into an equivalent std struct (String/Vec), and serde-json-core into the same heapless
//! models, measured in the same run.
//!
//! `cargo bench -p qod-core --features serde,v1 --bench codec` runs criterion groups, then an interleaved harness
//! (the variants take turns, round after round; ratio = median of per-round ratios, which is robust to the noise of
//! shared machines), and prints the ratios and the heap allocations per operation (counted by an instrumented
//! global allocator). `-- --quick` shortens the interleaved harness; criterion's own flags (`--warm-up-time`,
//! `--measurement-time`) shorten the groups.
use criterion::Criterion;
use qod_core::{Decode, Encode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};
use std::alloc::System;
use std::fmt::Debug;
use std::hint::black_box;
use std::time::Instant;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// v0.10.1: every field of `SessionInfo`.
const DOC: &[u8] = include_bytes!("../tests/vectors/session_info_full.json");
/// 1.1.0: every field of `SessionInfo` (sink, RFC 3339 date-times, statusInfo).
const DOC_V1: &[u8] = include_bytes!("../tests/vectors/v1/session_info_full.json");

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

/// The 1.1.0 `SessionInfo` as a serde_json user would write it: date-times kept as the `String`s they are on the
/// wire (qod-core parses and validates them, so this favours serde_json).
mod std_model_v1 {
    use super::std_model::{ApplicationServer, Device, PortsSpec, QosStatus};
    use super::*;
    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    #[serde(rename_all = "camelCase")]
    pub struct SessionInfo {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub device: Option<Device>,
        pub application_server: ApplicationServer,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub device_ports: Option<PortsSpec>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub application_server_ports: Option<PortsSpec>,
        pub qos_profile: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub sink: Option<String>,
        pub session_id: String,
        pub duration: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub started_at: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub expires_at: Option<String>,
        pub qos_status: QosStatus,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub status_info: Option<StatusInfo>,
    }
    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    pub enum StatusInfo {
        DurationExpired,
        NetworkTerminated,
        DeleteRequested,
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

/// One model's figures: (ns/op, ratio to serde_json) of each decode and encode variant, and heap allocations.
struct Figures {
    label: &'static str,
    doc_len: usize,
    size: usize,
    dec: Vec<(f64, f64)>,
    enc: Vec<(f64, f64)>,
    a_ours: usize,
    a_enc: usize,
    a_theirs: usize,
}

/// Criterion groups and (with `rounds > 0`) the interleaved harness for one document: `Ours` is the qod-core model
/// (also decoded by serde-json-core), `Theirs` the std struct serde_json decodes into.
fn case<Ours, Theirs>(
    c: &mut Criterion,
    label: &'static str,
    doc: &'static [u8],
    rounds: usize,
    iters: usize,
) -> Figures
where
    Ours: Decode + Encode + Default + PartialEq + Debug + Serialize + DeserializeOwned,
    Theirs: Serialize + DeserializeOwned,
{
    // Check that all variants agree before timing anything.
    let mut ours = Ours::default();
    qod_core::decode_into(doc, &mut ours).unwrap();
    let theirs: Theirs = serde_json::from_slice(doc).unwrap();
    let mut scratch = [0u8; 512];
    let (sjc, _): (Ours, usize) = serde_json_core::from_slice_escaped(doc, &mut scratch).unwrap();
    assert_eq!(ours, sjc);
    let mut out = [0u8; 2048];
    let n = qod_core::encode(&ours, &mut out).unwrap();
    assert_eq!(&out[..n], serde_json::to_vec(&theirs).unwrap().as_slice());
    assert_eq!(&out[..n], doc.trim_ascii_end());

    {
        let mut g = c.benchmark_group(format!("decode {label} SessionInfo"));
        g.bench_function("serde_json -> String/Vec", |b| {
            b.iter(|| black_box(serde_json::from_slice::<Theirs>(black_box(doc)).unwrap()))
        });
        g.bench_function("qod-core decode_into heapless", |b| {
            b.iter(|| qod_core::decode_into(black_box(doc), black_box(&mut ours)).unwrap())
        });
        g.bench_function("serde-json-core from_slice_escaped heapless", |b| {
            b.iter(|| black_box(serde_json_core::from_slice_escaped::<Ours>(black_box(doc), &mut scratch).unwrap()))
        });
        g.finish();
        let mut g = c.benchmark_group(format!("encode {label} SessionInfo"));
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
    let mut f = Figures {
        label,
        doc_len: doc.len(),
        size: core::mem::size_of::<Ours>(),
        dec: Vec::new(),
        enc: Vec::new(),
        a_ours: 0,
        a_enc: 0,
        a_theirs: 0,
    };
    if rounds == 0 {
        return f;
    }

    // Interleaved ratios (what to quote) and heap allocations per operation.
    let mut out2 = [0u8; 2048];
    let mut out3 = [0u8; 2048];
    let mut scratch2 = [0u8; 512];
    let mut ours2 = Ours::default();
    f.dec = interleaved(
        &mut [
            (
                "serde_json -> String/Vec",
                Box::new(|| drop(black_box(serde_json::from_slice::<Theirs>(black_box(doc)).unwrap()))),
            ),
            (
                "qod-core decode_into",
                Box::new(|| qod_core::decode_into(black_box(doc), black_box(&mut ours2)).unwrap()),
            ),
            (
                "serde-json-core from_slice_escaped",
                Box::new(|| {
                    drop(black_box(
                        serde_json_core::from_slice_escaped::<Ours>(black_box(doc), &mut scratch2).unwrap(),
                    ))
                }),
            ),
        ],
        rounds,
        iters,
    );
    let mut vec_buf = Vec::with_capacity(2048);
    f.enc = interleaved(
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
    let mut ours3 = Ours::default();
    f.a_ours = allocations(|| qod_core::decode_into(doc, &mut ours3).unwrap());
    f.a_enc = allocations(|| {
        qod_core::encode(&ours, &mut out2).unwrap();
    });
    f.a_theirs = allocations(|| drop(serde_json::from_slice::<Theirs>(doc).unwrap()));
    f
}

fn report(f: &Figures, rounds: usize, iters: usize) {
    println!(
        "\n== {}: interleaved, {rounds} rounds x {iters} iterations, {} byte SessionInfo ==",
        f.label, f.doc_len
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
    let allocs_d = [f.a_theirs.to_string(), f.a_ours.to_string(), "0".into()];
    for ((name, (ns, ratio)), allocs) in names_d.iter().zip(&f.dec).zip(&allocs_d) {
        println!("decode {name:<33} {ns:>10.0} {ratio:>14.2} {allocs:>12}");
    }
    let names_e = [
        "serde_json to_writer (reused Vec)",
        "qod-core encode into [u8]",
        "serde-json-core to_slice",
    ];
    for (name, (ns, ratio)) in names_e.iter().zip(&f.enc) {
        println!(
            "encode {name:<33} {ns:>10.0} {ratio:>14.2} {:>12}",
            if name.starts_with("qod") {
                f.a_enc.to_string()
            } else {
                "-".into()
            }
        );
    }
    println!("size_of::<SessionInfo>() = {} bytes (default limits)", f.size);
    let (d, e, a) = (f.dec[1].1, f.enc[1].1, f.a_ours);
    println!(
        "TARGETS {}: decode {d:.2}x (<= 0.50x: {}), encode {e:.2}x (<= 0.60x: {}), decode heap allocations {a} (0: {})",
        f.label,
        if d <= 0.5 { "met" } else { "MISSED" },
        if e <= 0.6 { "met" } else { "MISSED" },
        if a == 0 { "met" } else { "MISSED" }
    );
}

fn main() {
    // A 1 s warm-up unless the command line says otherwise (`--warm-up-time`, `--measurement-time`, `--quick`).
    let mut c = Criterion::default()
        .warm_up_time(std::time::Duration::from_secs(1))
        .configure_from_args();
    // The ratios only mean something in an optimized `cargo bench` run (which passes `--bench`); test runners
    // (`cargo test --benches`, nextest's `--list`) just check that the benchmarks run.
    let args: Vec<String> = std::env::args().collect();
    let timed = args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--list");
    let (rounds, iters) = match (timed, args.iter().any(|a| a == "--quick")) {
        (false, _) => (0, 0),
        (true, true) => (31, 200),
        (true, false) => (301, 1000),
    };
    let figures = [
        case::<qod_core::model::SessionInfo, std_model::SessionInfo>(&mut c, "v0.10.1", DOC, rounds, iters),
        case::<qod_core::v1::model::SessionInfo, std_model_v1::SessionInfo>(&mut c, "1.1.0", DOC_V1, rounds, iters),
    ];
    c.final_summary();
    if rounds > 0 {
        for f in &figures {
            report(f, rounds, iters);
        }
    }
}
