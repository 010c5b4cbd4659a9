use crate::CapacityError;
use core::fmt;

/// A credential (a webhook's `notificationAuthToken`) of at most `N` bytes.
///
/// It never appears in `Debug`, `Display` or `defmt` output: those print `<redacted>`. Read it with
/// [`Secret::expose`] where it must go on the wire.
#[derive(Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(transparent))]
pub struct Secret<const N: usize>(heapless::String<N>);

impl<const N: usize> Secret<N> {
    /// Wraps `value`.
    ///
    /// # Errors
    /// [`CapacityError`] (field `secret`) when it is longer than `N` bytes.
    pub fn new(value: &str) -> Result<Self, CapacityError> {
        crate::error::fit("secret", value).map(Self)
    }

    /// The secret text, for the wire.
    pub fn expose(&self) -> &str {
        self.0.as_str()
    }

    pub(crate) fn inner_mut(&mut self) -> &mut heapless::String<N> {
        &mut self.0
    }
}

impl<const N: usize> fmt::Debug for Secret<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<const N: usize> fmt::Display for Secret<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(feature = "defmt")]
impl<const N: usize> defmt::Format for Secret<N> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_secret_is_redacted() {
        let s = Secret::<32>::new("super-secret-token-value").unwrap();
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(format!("{s}"), "<redacted>");
        assert_eq!(s.expose(), "super-secret-token-value");
        assert_eq!(
            Secret::<4>::new("12345"),
            Err(CapacityError {
                field: "secret",
                max: 4
            })
        );
        assert_eq!(Secret::<4>::new("1234").map(|s| s.expose().len()), Ok(4));
    }
}
