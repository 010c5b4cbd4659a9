//! The AT command interpreter of a simulated LTE-M / NB-IoT modem: V.250 basics and the 3GPP TS 27.007 commands a
//! device needs to register and dial (`AT+CPIN?`, `AT+CEREG?`, `AT+CGDCONT`, `AT+CSQ`, `ATD*99#`).
//!
//! Sans-IO: [`At::input`] takes the bytes the device sent in command mode and the current time, and returns the
//! bytes to send back plus, for a packet-data dial, a [`Command::Dial`] the caller answers with `CONNECT` (or
//! `NO CARRIER`). Responses are verbose (`ATV1`): `\r\n<line>\r\n` per information line, then `\r\nOK\r\n` or
//! `\r\nERROR\r\n`.
//!
//! A command line starts at `AT` (case-insensitive; anything before it is ignored, as a real modem ignores noise)
//! and ends with a carriage return; line feeds are ignored. A PPP flag byte (`0x7e`) or another control character
//! discards the line, so PPP frames a device still sends after a hang-up do not mix into its next command. Lines
//! longer than [`MAX_LINE`] bytes get `ERROR`.
//!
//! # Untrusted input
//! Any byte sequence is accepted without panicking; the line buffer never grows past [`MAX_LINE`].

use std::time::Duration;

/// Longest command line kept (V.250 requires at least 40 characters).
pub const MAX_LINE: usize = 256;

/// Settings and faults of the command interpreter.
#[derive(Debug, Clone)]
pub struct Config {
    /// Time from power-on until the modem reports itself registered (`+CEREG: n,1`).
    pub registration_delay: Duration,
    /// Signal quality reported by `AT+CSQ` (0-31, 99 unknown).
    pub rssi: u8,
    /// Commands (after `AT`, prefix match, case-insensitive; empty: every command) answered with `ERROR`.
    pub error: Option<String>,
    /// Commands (same matching) answered with nothing at all; with an empty prefix the modem does not even echo.
    pub silent: Option<String>,
    /// The modem never registers (`+CEREG: n,2` for ever).
    pub never_register: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            registration_delay: Duration::from_secs(1),
            rssi: 20,
            error: None,
            silent: None,
            never_register: false,
        }
    }
}

/// What the caller must do besides sending the reply bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `ATD*99[***cid]#`: start a packet-data call on PDP context `cid` whose APN is `apn` (None: no context
    /// defined). The caller answers `CONNECT` (and switches to PPP) or `NO CARRIER`.
    Dial {
        /// The context dialled.
        cid: u8,
        /// Its APN, if `AT+CGDCONT` defined it.
        apn: Option<String>,
    },
}

/// The interpreter's state: echo, the partial command line, the defined PDP contexts.
#[derive(Debug)]
pub struct At {
    config: Config,
    /// Power-on time.
    start: Duration,
    echo: bool,
    line: Vec<u8>,
    /// `AT` seen: bytes go into `line`; before that, only an `A` followed by `T` starts a line.
    in_line: bool,
    /// The last byte was `A`/`a` (outside a line).
    saw_a: bool,
    overflow: bool,
    cereg_mode: u8,
    cmee: u8,
    /// PDP contexts 1..=16: (type, APN).
    contexts: Vec<(u8, String, String)>,
}

fn ok(out: &mut Vec<u8>) {
    out.extend_from_slice(b"\r\nOK\r\n");
}

fn error(out: &mut Vec<u8>) {
    out.extend_from_slice(b"\r\nERROR\r\n");
}

fn info(out: &mut Vec<u8>, line: &str) {
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(line.as_bytes());
    out.extend_from_slice(b"\r\n");
}

/// Whether `body` matches a fault prefix given as `+CGDCONT`, `AT+CGDCONT` or `` (all).
fn matches(prefix: Option<&str>, body: &str) -> bool {
    prefix.is_some_and(|p| {
        let p = p.trim();
        let p = p
            .get(..2)
            .filter(|at| at.eq_ignore_ascii_case("AT"))
            .map_or(p, |_| p.get(2..).unwrap_or(""));
        body.get(..p.len()).is_some_and(|b| b.eq_ignore_ascii_case(p))
    })
}

/// Splits `1,"IP","apn"` into its parameters, unquoting strings. `None` on an unterminated quote.
fn params(s: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in s.chars() {
        match (c, quoted) {
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cur)),
            (c, true) => cur.push(c),
            (c, false) if !c.is_whitespace() => cur.push(c),
            _ => {}
        }
    }
    if quoted {
        return None;
    }
    out.push(cur);
    Some(out)
}

impl At {
    /// A modem powered on at `now`, echo on.
    pub fn new(config: Config, now: Duration) -> Self {
        At {
            config,
            start: now,
            echo: true,
            line: Vec::with_capacity(MAX_LINE),
            in_line: false,
            saw_a: false,
            overflow: false,
            cereg_mode: 0,
            cmee: 0,
            contexts: Vec::new(),
        }
    }

    /// Whether the modem is registered at `now`.
    pub fn registered(&self, now: Duration) -> bool {
        !self.config.never_register && now >= self.start + self.config.registration_delay
    }

    /// Forgets a partial command line (when the line returns from online mode).
    pub fn reset_line(&mut self) {
        self.line.clear();
        self.in_line = false;
        self.saw_a = false;
        self.overflow = false;
    }

    /// Takes bytes the device sent in command mode; appends the reply bytes to `out`. Returns a dial request when a
    /// line was `ATD*99#`; the bytes after that line are not consumed: the returned count says how many were.
    pub fn input(&mut self, now: Duration, data: &[u8], out: &mut Vec<u8>) -> (usize, Option<Command>) {
        let dead = matches(self.config.silent.as_deref(), "");
        for (i, &b) in data.iter().enumerate() {
            if self.echo && !dead {
                out.push(b);
            }
            match b {
                b'\r' if self.in_line => {
                    let cmd = self.finish_line(now, out);
                    if cmd.is_some() {
                        return (i + 1, cmd);
                    }
                }
                b'\n' => {}
                0x08 if self.in_line => {
                    self.line.pop();
                }
                0x7e | 0x00..=0x1f | 0x7f => self.reset_line(),
                _ if self.in_line => {
                    if self.line.len() < MAX_LINE {
                        self.line.push(b);
                    } else {
                        self.overflow = true;
                    }
                }
                b'A' | b'a' => self.saw_a = true,
                b'T' | b't' if self.saw_a => {
                    self.in_line = true;
                    self.saw_a = false;
                }
                _ => self.saw_a = false,
            }
        }
        (data.len(), None)
    }

    fn finish_line(&mut self, now: Duration, out: &mut Vec<u8>) -> Option<Command> {
        let overflow = self.overflow;
        let line = std::mem::take(&mut self.line);
        self.reset_line();
        let Ok(body) = std::str::from_utf8(&line) else {
            error(out);
            return None;
        };
        let body = body.trim();
        if overflow {
            error(out);
            return None;
        }
        if matches(self.config.silent.as_deref(), body) {
            tracing::debug!("AT{body}: fault: no answer");
            return None;
        }
        if matches(self.config.error.as_deref(), body) {
            tracing::debug!("AT{body}: fault: ERROR");
            error(out);
            return None;
        }
        let result = self.execute(now, body, out);
        match &result {
            Ok(Some(_)) => tracing::debug!("AT{body}: dial"),
            Ok(None) => {
                tracing::debug!("AT{body}: OK");
                ok(out);
            }
            Err(()) => {
                tracing::debug!("AT{body}: ERROR");
                error(out);
            }
        }
        result.ok().flatten()
    }

    /// Runs one command; `Ok(None)` means `OK` follows the information lines already in `out`.
    fn execute(&mut self, now: Duration, body: &str, out: &mut Vec<u8>) -> Result<Option<Command>, ()> {
        let upper = body.to_ascii_uppercase();
        let registered = self.registered(now);
        match upper.as_str() {
            "" | "V1" | "Q0" | "&F" | "H" | "H0" | "+CFUN=1" => {}
            "E0" => self.echo = false,
            "E" | "E1" => self.echo = true,
            "Z" => {
                self.echo = true;
                self.cereg_mode = 0;
            }
            "I" => info(out, "qod-modem LTE-M/NB-IoT simulator"),
            "+CGMI" => info(out, "qod"),
            "+CGMM" => info(out, "QOD-M1"),
            "+CGMR" => info(out, env!("CARGO_PKG_VERSION")),
            "+CGSN" => info(out, "356938035643809"),
            "+CIMI" => info(out, "001010123456789"),
            "+CPIN?" => info(out, "+CPIN: READY"),
            "+CFUN?" => info(out, "+CFUN: 1"),
            "+CMEE?" => info(out, &format!("+CMEE: {}", self.cmee)),
            "+CSQ" => info(out, &format!("+CSQ: {},99", self.config.rssi)),
            "+CGATT?" => info(out, &format!("+CGATT: {}", u8::from(registered))),
            "+COPS?" if registered => info(out, "+COPS: 0,0,\"QOD SIM\",7"),
            "+COPS?" => info(out, "+COPS: 0"),
            "+CEREG?" | "+CGREG?" | "+CREG?" => {
                let name = upper.trim_end_matches('?');
                let stat = if registered { 1 } else { 2 };
                info(out, &format!("{name}: {},{stat}", self.cereg_mode));
            }
            "+CEREG=?" => info(out, "+CEREG: (0-2)"),
            "+CGDCONT?" => {
                for (cid, kind, apn) in &self.contexts {
                    info(out, &format!("+CGDCONT: {cid},\"{kind}\",\"{apn}\",\"0.0.0.0\",0,0"));
                }
            }
            "+CGDCONT=?" => info(out, "+CGDCONT: (1-16),\"IP\",,,(0),(0)"),
            "O" => {
                out.extend_from_slice(b"\r\nNO CARRIER\r\n");
                return Err(());
            }
            _ => return self.execute_with_arguments(&upper, body),
        }
        Ok(None)
    }

    fn execute_with_arguments(&mut self, upper: &str, body: &str) -> Result<Option<Command>, ()> {
        let args = |name: &str| body.get(name.len()..).and_then(params);
        if let Some(n) = upper.strip_prefix("+CEREG=") {
            self.cereg_mode = n.parse().ok().filter(|n| *n <= 2).ok_or(())?;
        } else if let Some(n) = upper.strip_prefix("+CMEE=") {
            self.cmee = n.parse().ok().filter(|n| *n <= 2).ok_or(())?;
        } else if upper.starts_with("+CFUN=") {
        } else if upper.starts_with("+CGDCONT=") {
            let args = args("+CGDCONT=").ok_or(())?;
            let cid: u8 = args
                .first()
                .and_then(|c| c.parse().ok())
                .filter(|c| (1..=16).contains(c))
                .ok_or(())?;
            let kind = args.get(1).cloned().unwrap_or_default().to_ascii_uppercase();
            let apn = args.get(2).cloned().unwrap_or_default();
            if !["IP", "IPV6", "IPV4V6", "NON-IP"].contains(&kind.as_str()) || apn.len() > 100 {
                return Err(());
            }
            self.contexts.retain(|(c, _, _)| *c != cid);
            self.contexts.push((cid, kind, apn));
        } else if let Some(dial) = upper.strip_prefix('D') {
            let number = dial.trim_start_matches(['T', 'P']);
            let cid = match number {
                "*99#" => 1,
                _ => number
                    .strip_prefix("*99***")
                    .and_then(|c| c.strip_suffix('#'))
                    .and_then(|c| c.parse().ok())
                    .ok_or(())?,
            };
            let apn = self
                .contexts
                .iter()
                .find(|(c, _, _)| *c == cid)
                .map(|(_, _, apn)| apn.clone());
            return Ok(Some(Command::Dial { cid, apn }));
        } else {
            return Err(());
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const T0: Duration = Duration::ZERO;

    fn run(at: &mut At, now: Duration, input: &str) -> (String, Option<Command>) {
        let mut out = Vec::new();
        let (_, cmd) = at.input(now, input.as_bytes(), &mut out);
        (String::from_utf8_lossy(&out).into_owned(), cmd)
    }

    #[test]
    fn test_echo_then_ate0() {
        let mut at = At::new(Config::default(), T0);
        assert_eq!(run(&mut at, T0, "AT\r").0, "AT\r\r\nOK\r\n");
        assert_eq!(run(&mut at, T0, "ATE0\r").0, "ATE0\r\r\nOK\r\n");
        assert_eq!(run(&mut at, T0, "AT\r").0, "\r\nOK\r\n");
    }

    #[test]
    fn test_bring_up_dialogue() {
        let mut at = At::new(Config::default(), T0);
        run(&mut at, T0, "ATE0\r");
        assert_eq!(run(&mut at, T0, "AT+CPIN?\r").0, "\r\n+CPIN: READY\r\n\r\nOK\r\n");
        assert_eq!(run(&mut at, T0, "AT+CGDCONT=1,\"IP\",\"iot.qod\"\r").0, "\r\nOK\r\n");
        assert_eq!(
            run(&mut at, T0, "AT+CGDCONT?\r").0,
            "\r\n+CGDCONT: 1,\"IP\",\"iot.qod\",\"0.0.0.0\",0,0\r\n\r\nOK\r\n"
        );
        assert_eq!(run(&mut at, T0, "AT+CEREG?\r").0, "\r\n+CEREG: 0,2\r\n\r\nOK\r\n");
        let later = Duration::from_millis(1000);
        assert_eq!(run(&mut at, later, "at+cereg?\r").0, "\r\n+CEREG: 0,1\r\n\r\nOK\r\n");
        assert_eq!(run(&mut at, later, "AT+CSQ\r").0, "\r\n+CSQ: 20,99\r\n\r\nOK\r\n");
        assert_eq!(
            run(&mut at, later, "ATD*99#\r"),
            (
                String::new(),
                Some(Command::Dial {
                    cid: 1,
                    apn: Some("iot.qod".into())
                })
            )
        );
        assert_eq!(
            run(&mut at, later, "ATD*99***2#\r").1,
            Some(Command::Dial { cid: 2, apn: None })
        );
    }

    #[test]
    fn test_unknown_and_malformed_commands_get_error() {
        let mut at = At::new(Config::default(), T0);
        run(&mut at, T0, "ATE0\r");
        for cmd in [
            "AT+FOO\r",
            "AT+CGDCONT=0,\"IP\",\"x\"\r",
            "AT+CGDCONT=1,\"IP\r",
            "ATD123\r",
            "AT+CEREG=9\r",
        ] {
            assert_eq!(run(&mut at, T0, cmd).0, "\r\nERROR\r\n", "{cmd:?}");
        }
        let long = format!("AT{}\r", "X".repeat(MAX_LINE + 1));
        assert_eq!(run(&mut at, T0, &long).0, "\r\nERROR\r\n");
    }

    #[test]
    fn test_noise_and_ppp_leftovers_before_a_command_are_ignored() {
        let mut at = At::new(Config::default(), T0);
        run(&mut at, T0, "ATE0\r");
        // A PPP frame the device sent after the hang-up, then its next command.
        let mut input = vec![0x7e, 0xff, 0x7d, 0x23, 0xc0, 0x21, b'A', b'T', 0x7e];
        input.extend_from_slice(b"xyzAT+CSQ\r");
        let mut out = Vec::new();
        at.input(T0, &input, &mut out);
        assert_eq!(out, b"\r\n+CSQ: 20,99\r\n\r\nOK\r\n");
        // A line without AT gets no answer at all.
        assert_eq!(run(&mut at, T0, "hello\r").0, "");
    }

    #[test]
    fn test_faults_error_silent_never_register() {
        let config = Config {
            error: Some("AT+CGDCONT".into()),
            silent: Some("+CSQ".into()),
            never_register: true,
            ..Config::default()
        };
        let mut at = At::new(config, T0);
        run(&mut at, T0, "ATE0\r");
        assert_eq!(run(&mut at, T0, "AT+CGDCONT=1,\"IP\",\"x\"\r").0, "\r\nERROR\r\n");
        assert_eq!(run(&mut at, T0, "AT+CSQ\r").0, "");
        assert_eq!(
            run(&mut at, Duration::from_secs(3600), "AT+CEREG?\r").0,
            "\r\n+CEREG: 0,2\r\n\r\nOK\r\n"
        );
        let mut dead = At::new(
            Config {
                silent: Some(String::new()),
                ..Config::default()
            },
            T0,
        );
        assert_eq!(run(&mut dead, T0, "AT\r").0, "");
        let mut all_error = At::new(
            Config {
                error: Some(String::new()),
                ..Config::default()
            },
            T0,
        );
        assert_eq!(run(&mut all_error, T0, "ATE0\r").0, "ATE0\r\r\nERROR\r\n");
    }

    #[test]
    fn test_dial_stops_consuming_at_the_dial_line() {
        let mut at = At::new(Config::default(), T0);
        run(&mut at, T0, "ATE0\r");
        let mut out = Vec::new();
        let input = b"ATD*99#\r~\xff\x7d\x23";
        let (used, cmd) = at.input(T0, input, &mut out);
        assert_eq!(used, 8);
        assert!(matches!(cmd, Some(Command::Dial { cid: 1, .. })));
    }

    proptest! {
        #[test]
        fn prop_any_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let mut at = At::new(Config::default(), T0);
            let mut out = Vec::new();
            let mut rest = &data[..];
            while !rest.is_empty() {
                let (used, _) = at.input(T0, rest, &mut out);
                prop_assert!(used >= 1 && used <= rest.len());
                rest = &rest[used..];
            }
            prop_assert!(at.line.len() <= MAX_LINE);
        }
    }
}
