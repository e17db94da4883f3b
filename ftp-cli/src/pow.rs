//! C's `pow`, defined in this binary so that the process never loads
//! glibc's `libm.so`.
//!
//! `f64::powf` compiles to a call to `pow`, and indicatif's rate estimate
//! is the one caller in ftp-cli. That single symbol made the dynamic
//! loader map `libm.so.6` and run its IFUNC resolvers at start-up, which
//! touched about 336 KiB of it: a twelfth of a plain transfer's peak
//! memory. A definition in the executable is found first, so the linker
//! (which links libraries as needed) records no dependency on libm.

/// `x` raised to the power `y`, as C's `pow` (musl's algorithm, from the
/// `libm` crate).
#[unsafe(no_mangle)]
pub extern "C" fn pow(x: f64, y: f64) -> f64 {
    libm::pow(x, y)
}

#[cfg(test)]
mod tests {
    #[test]
    fn powf_goes_through_this_pow() {
        let age = std::hint::black_box(7.5_f64);
        let weight = 0.1_f64.powf(age / 15.0);
        assert!(
            (weight - 0.316_227_766_016_837_94).abs() < 1e-15,
            "{weight}"
        );
        assert_eq!(super::pow(2.0, 10.0), 1024.0);
    }
}
