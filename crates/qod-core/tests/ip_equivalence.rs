//! The hand-written IP validators in `qod_core::validate` accept exactly what `core::net`'s `Ipv4Addr`/`Ipv6Addr`
//! `FromStr` accept (plus the `/mask` rules of the CIDR forms). Checked against the standard library on random
//! strings over the relevant alphabet, on structured near-misses, and on explicit edge cases.
//! More cases: `PROPTEST_CASES=200000 cargo test -p qod-core --test ip_equivalence`.
use proptest::prelude::*;
use qod_core::validate::{ipv4, ipv4_cidr, ipv6, ipv6_cidr};
use std::net::{Ipv4Addr, Ipv6Addr};

fn std_v4(s: &str) -> bool {
    s.parse::<Ipv4Addr>().is_ok()
}

fn std_v6(s: &str) -> bool {
    s.parse::<Ipv6Addr>().is_ok()
}

/// The mask rules: 1–3 decimal digits, no leading zero unless it is `0`, at most `max`.
fn ref_mask(mask: &str, max: u8) -> bool {
    !mask.is_empty()
        && mask.len() <= 3
        && mask.bytes().all(|b| b.is_ascii_digit())
        && !(mask.len() > 1 && mask.starts_with('0'))
        && mask.parse::<u8>().is_ok_and(|m| m <= max)
}

fn ref_cidr(s: &str, max: u8, addr: fn(&str) -> bool) -> bool {
    match s.split_once('/') {
        None => addr(s),
        Some((a, m)) => addr(a) && ref_mask(m, max),
    }
}

/// Compares all four validators with the reference on `s`.
fn same(s: &str) -> Result<(), TestCaseError> {
    prop_assert_eq!(ipv4(s).is_ok(), std_v4(s), "ipv4 {:?}", s);
    prop_assert_eq!(ipv6(s).is_ok(), std_v6(s), "ipv6 {:?}", s);
    prop_assert_eq!(ipv4_cidr(s).is_ok(), ref_cidr(s, 32, std_v4), "ipv4_cidr {:?}", s);
    prop_assert_eq!(ipv6_cidr(s).is_ok(), ref_cidr(s, 128, std_v6), "ipv6_cidr {:?}", s);
    Ok(())
}

fn assert_same(s: &str) {
    if let Err(e) = same(s) {
        panic!("{e}");
    }
}

/// A decimal octet-ish token: in range, out of range, leading zeros, too long, empty.
fn octet() -> impl Strategy<Value = String> {
    prop_oneof![
        24 => (0u16..=255).prop_map(|n| n.to_string()),
        1 => (256u16..=999).prop_map(|n| n.to_string()),
        1 => (0u16..=99).prop_map(|n| format!("0{n}")),
        1 => (0u16..=9).prop_map(|n| format!("00{n}")),
        1 => (1000u32..=99999).prop_map(|n| n.to_string()),
        1 => Just(String::new()),
        1 => "[0-9a-fA-F]{1,4}",
    ]
}

/// A dotted quad, usually well formed, sometimes with 3 or 5 parts.
fn quad() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => proptest::collection::vec(octet(), 4),
        1 => proptest::collection::vec(octet(), 1..=6),
    ]
    .prop_map(|v| v.join("."))
}

/// A hex group: 1–4 digits usually, sometimes empty, 5 digits, or with a stray character.
fn group() -> impl Strategy<Value = String> {
    prop_oneof![
        48 => "[0-9a-fA-F]{1,4}",
        1 => "0{2,6}",
        1 => "[0-9a-fA-F]{5,6}",
        1 => Just(String::new()),
        1 => "[0-9a-fA-F]{0,2}[g.xX/ %\\[\\]][0-9a-fA-F]{0,2}",
        1 => (0u16..=255).prop_map(|n| n.to_string()),
    ]
}

/// An IPv6-ish string: `count` groups, maybe a `::` at some position, maybe an embedded IPv4 at the end.
fn v6ish() -> impl Strategy<Value = String> {
    (
        prop_oneof![
            proptest::collection::vec(group(), 0..=10),
            proptest::collection::vec(group(), 5..=8)
        ],
        proptest::option::of(0usize..=10),
        proptest::option::weighted(0.3, quad()),
        proptest::option::weighted(0.15, prop_oneof![Just(":"), Just("::"), Just(":::"), Just(".")]),
        proptest::option::weighted(0.15, prop_oneof![Just(":"), Just("::"), Just(":::")]),
    )
        .prop_map(|(groups, gap, v4, prefix, suffix)| {
            let mut parts = groups;
            if let Some(q) = v4 {
                parts.push(q);
            }
            let mut s = match gap {
                Some(g) => {
                    let g = g.min(parts.len());
                    let (head, tail) = parts.split_at(g);
                    format!("{}::{}", head.join(":"), tail.join(":"))
                }
                None => parts.join(":"),
            };
            if let Some(p) = prefix {
                s.insert_str(0, p);
            }
            if let Some(x) = suffix {
                s.push_str(x);
            }
            s
        })
}

/// A mask suffix: none, in range, out of range, leading zeros, empty, extra slash.
fn mask() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => Just(String::new()),
        4 => (0u16..=140).prop_map(|n| format!("/{n}")),
        1 => (0u16..=200).prop_map(|n| format!("/0{n}")),
        1 => (0u32..=99999).prop_map(|n| format!("/{n}")),
        1 => Just("/".to_string()),
        1 => "/[0-9/a]{0,4}",
    ]
}

/// 4096 cases unless `PROPTEST_CASES` says otherwise.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(4096);
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn random_strings_over_the_alphabet(s in "[0-9a-fA-FgG:./ %x\\[\\]-]{0,45}") {
        same(&s)?;
    }

    #[test]
    fn random_short_strings(s in "[0-9af:.]{0,12}") {
        same(&s)?;
    }

    #[test]
    fn arbitrary_strings(s in ".{0,40}") {
        same(&s)?;
    }

    #[test]
    fn structured_ipv4(q in quad(), m in mask()) {
        same(&q)?;
        same(&format!("{q}{m}"))?;
    }

    #[test]
    fn structured_ipv6(a in v6ish(), m in mask()) {
        same(&a)?;
        same(&format!("{a}{m}"))?;
    }

    #[test]
    fn formatted_addresses_round_trip(a in any::<[u16; 8]>(), b in any::<[u8; 4]>(), m in mask()) {
        let v6 = Ipv6Addr::from(a);
        let v4 = Ipv4Addr::from(b);
        for s in [v6.to_string(), format!("{v6:?}"), v4.to_string(), Ipv6Addr::from(b.map(u16::from).repeat(2).try_into().unwrap_or([0; 8])).to_string()] {
            same(&s)?;
            same(&format!("{s}{m}"))?;
        }
        // Embedded IPv4 after 6 groups, and after every shorter head/tail split with `::`.
        let g: Vec<String> = a.iter().map(|x| format!("{x:x}")).collect();
        same(&format!("{}:{v4}", g[..6].join(":")))?;
        for head in 0..=6 {
            for tail in 0..=(6 - head) {
                same(&format!("{}::{}{}{v4}", g[..head].join(":"), g[..tail].join(":"), if tail > 0 { ":" } else { "" }))?;
            }
        }
        same(&v4.to_ipv6_mapped().to_string())?;
    }
}

#[test]
fn every_gap_position() {
    // For n groups around one `::` (0 ≤ head + tail ≤ 8), with and without a trailing dotted quad.
    for head in 0..=8usize {
        for tail in 0..=(9 - head) {
            let h: Vec<String> = (1..=head).map(|i| i.to_string()).collect();
            let t: Vec<String> = (1..=tail).map(|i| format!("a{i}")).collect();
            let s = format!("{}::{}", h.join(":"), t.join(":"));
            assert_same(&s);
            let sep = if tail > 0 { ":" } else { "" };
            assert_same(&format!("{s}{sep}1.2.3.4"));
            assert_same(&format!("{s}{sep}1.2.3.4/24"));
            assert_same(&format!("{s}/128"));
            assert_same(&format!("{s}/129"));
        }
    }
    // Without a gap: 0–10 groups, the embedded IPv4 at every position.
    for n in 0..=10usize {
        let g: Vec<String> = (1..=n).map(|i| format!("{i:x}")).collect();
        assert_same(&g.join(":"));
        for at in 0..=n {
            let mut v = g.clone();
            v.insert(at, "10.0.0.1".into());
            assert_same(&v.join(":"));
        }
    }
}

#[test]
fn edge_cases() {
    let cases = [
        "",
        ":",
        "::",
        ":::",
        "::::",
        "::1",
        "1::",
        "1:2:3:4:5:6:7::",
        "::1:2:3:4:5:6:7",
        "1:2:3:4:5:6:7::8",
        "::1:2:3:4:5:6:7:8",
        "1::2:3:4:5:6:7:8",
        "1:2:3:4:5:6:7:8",
        "1:2:3:4:5:6:7:8:",
        "1:2:3:4:5:6:7:",
        "::1:",
        "1:2::3:",
        ":1:2:3:4:5:6:7:8",
        "1:2:3:4:5:6:7:8::",
        "::1:2:3:4:5:6:7::",
        "1::2::3",
        "1:::2",
        ":1::",
        "1:2:3:4:5:6:7",
        "1:2:3:4:5:6:7:8:9",
        "12345::",
        "::12345",
        "0000:0000:0000:0000:0000:0000:0000:0000",
        "00000::",
        "FFFF:ffff::",
        "g::",
        "::ffff:1.2.3.4",
        "::1.2.3.4",
        "::1.2.3.4:1",
        "1.2.3.4::",
        "1.2.3.4::1",
        "::1.2.3",
        "::1.2.3.4.5",
        "::1.2.3.04",
        "::1.2.3.256",
        "::01.2.3.4",
        "1:2:3:4:5:6:1.2.3.4",
        "1:2:3:4:5:6:7:1.2.3.4",
        "1:2:3:4:5:1.2.3.4",
        "1:2:3:4:5::1.2.3.4",
        "1:2:3:4:5:6::1.2.3.4",
        "1:2:3:4::5:1.2.3.4",
        "1:2:3:4:5:6:7::1.2.3.4",
        "::a.2.3.4",
        "::1a.2.3.4",
        "::1.2.3.4a",
        "::1.2.3.a",
        "::.1.2.3",
        "1:2:3:4:5:6:1.2.3.4/96",
        "[::1]",
        "::1%eth0",
        "fe80::1%1",
        " ::1",
        "::1 ",
        "0.0.0.0",
        "255.255.255.255",
        "256.0.0.0",
        "1.2.3",
        "1.2.3.4.",
        ".1.2.3.4",
        "1..2.3",
        "01.2.3.4",
        "1.2.3.00",
        "1.2.3.0",
        "1.2.3.4/0",
        "1.2.3.4/00",
        "1.2.3.4/32",
        "1.2.3.4/33",
        "1.2.3.4/",
        "1.2.3.4//1",
        "1.2.3.4/1/",
        "1.2.3.4/+1",
        "1.2.3.4/ 1",
        "1.2.3.4/0032",
        "1.2.3.4/255",
        "1.2.3.4/256",
        "::/0",
        "::/128",
        "::/129",
        "::/01",
        "::/1000",
        "/24",
        "1.2.3.4 ",
        "1.2.3.-4",
        "+1.2.3.4",
        "1.2.3.4\0",
        "\u{661}.2.3.4",
        "1.2.3.1000",
        "1.2.3.0x1",
    ];
    for s in cases {
        assert_same(s);
    }
}
