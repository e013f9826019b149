//! numpy's legacy random stream, `np.random.RandomState(seed)`: MT19937 seeded by
//! `init_genrand`, doubles by `genrand_res53`. Here only to start a model where a reference
//! library starts it (crowd-kit's MACE draws its first parameters from `RandomState(0)`).
//!
//! ```
//! use nucagree::stats::mersenne_twister::RandomState;
//!
//! let mut stream = RandomState::new(0);
//! assert_eq!(stream.random_sample(), 0.5488135039273248);
//! ```

const N: usize = 624;
const M: usize = 397;

/// MT19937 as numpy's `RandomState` runs it.
#[derive(Debug, Clone)]
pub struct RandomState {
    state: [u32; N],
    at: usize,
}

impl RandomState {
    /// `RandomState(seed)` for an integer seed.
    pub fn new(seed: u32) -> RandomState {
        let mut state = [0u32; N];
        state[0] = seed;
        for i in 1..N {
            state[i] = 1_812_433_253u32
                .wrapping_mul(state[i - 1] ^ (state[i - 1] >> 30))
                .wrapping_add(i as u32);
        }
        RandomState { state, at: N }
    }

    fn regenerate(&mut self) {
        let s = &mut self.state;
        for i in 0..N {
            let y = (s[i] & 0x8000_0000) | (s[(i + 1) % N] & 0x7fff_ffff);
            let mut next = s[(i + M) % N] ^ (y >> 1);
            if y & 1 == 1 {
                next ^= 0x9908_b0df;
            }
            s[i] = next;
        }
        self.at = 0;
    }

    /// The next 32 random bits.
    pub fn next_u32(&mut self) -> u32 {
        if self.at >= N {
            self.regenerate();
        }
        let mut y = self.state[self.at];
        self.at += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// A double in [0, 1) from 53 random bits (`random_sample`).
    pub fn random_sample(&mut self) -> f64 {
        let a = f64::from(self.next_u32() >> 5);
        let b = f64::from(self.next_u32() >> 6);
        (a * 67_108_864.0 + b) / 9_007_199_254_740_992.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numpy_random_state_zero() {
        // np.random.RandomState(0).random_sample(3), numpy 2.4.6.
        let mut stream = RandomState::new(0);
        assert_eq!(stream.random_sample(), 0.5488135039273248);
        assert_eq!(stream.random_sample(), 0.7151893663724195);
        assert_eq!(stream.random_sample(), 0.6027633760716439);
    }

    #[test]
    fn the_reference_generators_ten_thousandth_output() {
        // MT19937's published check: seeded with 5489, the 10,000th output is 4123659995.
        let mut stream = RandomState::new(5489);
        let last = (0..10_000).map(|_| stream.next_u32()).last();
        assert_eq!(last, Some(4_123_659_995));
    }
}
