//! Signed tokens (JWT): what they carry, how they are checked, and how the development login
//! mints them.
//!
//! An embedding portal signs tokens for its users either with a shared secret (HS256) or with a
//! private key whose public half the relay is given (RS256, ES256 or EdDSA, PEM). Only the
//! configured algorithm is accepted, so a token cannot pick a weaker one for itself.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use super::AuthError;
use crate::directory::User;

/// Shortest shared secret accepted: HS256 needs at least 256 bits of key.
pub const MIN_SECRET_BYTES: usize = 32;

/// How long a development-login token lives.
pub const DEV_TOKEN_LIFETIME: Duration = Duration::from_secs(12 * 60 * 60);

/// The claims a token carries. Only `sub` and `exp` matter to the relay; `name`, `role` and
/// `team` are for display, because the relay's own directory decides what a user may do.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Claims {
    /// The user id.
    pub sub: String,
    /// Expiry, seconds since the epoch.
    pub exp: u64,
    /// Issue time, seconds since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<u64>,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Display only: the issuer's idea of the user's role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Display only: the issuer's idea of the user's team.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
}

/// The public-key algorithms a portal may sign with.
#[derive(Clone, Copy, PartialEq, Eq, Debug, clap::ValueEnum)]
pub enum PublicKeyAlgorithm {
    /// RSA PKCS#1 v1.5 with SHA-256.
    Rs256,
    /// ECDSA P-256 with SHA-256.
    Es256,
    /// Ed25519.
    #[value(name = "eddsa")]
    EdDsa,
}

/// A key that cannot be used to verify tokens.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TokenKeyError {
    /// The shared secret is too short to be safe.
    #[error("the token secret is {len} bytes: use at least {MIN_SECRET_BYTES} random bytes")]
    SecretTooShort {
        /// Its length.
        len: usize,
    },
    /// The public key file does not hold a key of the configured algorithm.
    #[error("the token public key is not a {algorithm:?} PEM key: {source}")]
    InvalidPublicKey {
        /// The configured algorithm.
        algorithm: PublicKeyAlgorithm,
        /// What the parser said.
        #[source]
        source: jsonwebtoken::errors::Error,
    },
}

/// Checks tokens against one key and one algorithm.
pub struct TokenVerifier {
    key: DecodingKey,
    validation: Validation,
}

impl std::fmt::Debug for TokenVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The key stays out of logs.
        f.debug_struct("TokenVerifier")
            .field("algorithms", &self.validation.algorithms)
            .finish_non_exhaustive()
    }
}

impl TokenVerifier {
    /// Verifies HS256 tokens signed with `secret`.
    pub fn hs256(secret: &[u8]) -> Result<Self, TokenKeyError> {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(TokenKeyError::SecretTooShort { len: secret.len() });
        }
        Ok(Self::with_key(
            DecodingKey::from_secret(secret),
            Algorithm::HS256,
        ))
    }

    /// Verifies tokens signed with the private half of the PEM public key `pem`.
    pub fn public_key(algorithm: PublicKeyAlgorithm, pem: &[u8]) -> Result<Self, TokenKeyError> {
        let invalid = |source| TokenKeyError::InvalidPublicKey { algorithm, source };
        let (key, algorithm) = match algorithm {
            PublicKeyAlgorithm::Rs256 => (
                DecodingKey::from_rsa_pem(pem).map_err(invalid)?,
                Algorithm::RS256,
            ),
            PublicKeyAlgorithm::Es256 => (
                DecodingKey::from_ec_pem(pem).map_err(invalid)?,
                Algorithm::ES256,
            ),
            PublicKeyAlgorithm::EdDsa => (
                DecodingKey::from_ed_pem(pem).map_err(invalid)?,
                Algorithm::EdDSA,
            ),
        };
        Ok(Self::with_key(key, algorithm))
    }

    fn with_key(key: DecodingKey, algorithm: Algorithm) -> Self {
        let mut validation = Validation::new(algorithm);
        validation.set_required_spec_claims(&["exp", "sub"]);
        validation.validate_aud = false;
        TokenVerifier { key, validation }
    }

    /// Also requires `iss` to be `issuer`.
    #[must_use]
    pub fn with_issuer(mut self, issuer: &str) -> Self {
        self.validation.set_issuer(&[issuer]);
        self.validation
            .required_spec_claims
            .insert("iss".to_owned());
        self
    }

    /// Also requires `aud` to contain `audience`.
    #[must_use]
    pub fn with_audience(mut self, audience: &str) -> Self {
        self.validation.set_audience(&[audience]);
        self.validation.validate_aud = true;
        self.validation
            .required_spec_claims
            .insert("aud".to_owned());
        self
    }

    /// The claims of `token` if its signature, algorithm, expiry (60 s leeway) and configured
    /// issuer and audience check out.
    pub fn verify(&self, token: &str) -> Result<Claims, AuthError> {
        match jsonwebtoken::decode::<Claims>(token, &self.key, &self.validation) {
            Ok(data) => Ok(data.claims),
            Err(error) => match error.kind() {
                ErrorKind::ExpiredSignature => Err(AuthError::ExpiredToken),
                _ => Err(AuthError::InvalidToken {
                    reason: error.to_string(),
                }),
            },
        }
    }
}

/// Mints HS256 tokens for the development login.
pub struct TokenIssuer {
    key: EncodingKey,
    lifetime: Duration,
}

impl std::fmt::Debug for TokenIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenIssuer")
            .field("lifetime", &self.lifetime)
            .finish_non_exhaustive()
    }
}

/// A minted token and when it expires.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct IssuedToken {
    /// The JWT.
    pub token: String,
    /// Expiry, seconds since the epoch.
    pub expires_at: u64,
}

impl TokenIssuer {
    /// Signs with `secret`, which must be the verifier's.
    pub fn hs256(secret: &[u8], lifetime: Duration) -> Result<Self, TokenKeyError> {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(TokenKeyError::SecretTooShort { len: secret.len() });
        }
        Ok(TokenIssuer {
            key: EncodingKey::from_secret(secret),
            lifetime,
        })
    }

    /// A token for `user`, issued at `now`.
    pub fn issue(&self, user: &User, now: SystemTime) -> Result<IssuedToken, AuthError> {
        let issued_at = now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
        let expires_at = issued_at.saturating_add(self.lifetime.as_secs());
        let claims = Claims {
            sub: user.id.to_string(),
            exp: expires_at,
            iat: Some(issued_at),
            name: Some(user.name.zh_cn.clone()),
            role: Some(crate::directory::role_name(user.role).to_owned()),
            team: user.team.as_ref().map(ToString::to_string),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.key)
            .map_err(|error| AuthError::InvalidToken {
                reason: format!("cannot sign a token: {error}"),
            })?;
        Ok(IssuedToken { token, expires_at })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::Directory;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn demo_user() -> User {
        Directory::demo().users().next().unwrap().clone()
    }

    #[test]
    fn issued_tokens_verify_and_others_do_not() {
        let issuer = TokenIssuer::hs256(SECRET, DEV_TOKEN_LIFETIME).unwrap();
        let verifier = TokenVerifier::hs256(SECRET).unwrap();
        let user = demo_user();
        let issued = issuer.issue(&user, SystemTime::now()).unwrap();
        let claims = verifier.verify(&issued.token).unwrap();
        assert_eq!(claims.sub, user.id.as_str());
        assert_eq!(claims.exp, issued.expires_at);

        let other = TokenVerifier::hs256(b"another secret, also 32 bytes lo").unwrap();
        assert!(matches!(
            other.verify(&issued.token),
            Err(AuthError::InvalidToken { .. })
        ));
        let old = issuer
            .issue(&user, SystemTime::now() - DEV_TOKEN_LIFETIME * 2)
            .unwrap();
        assert_eq!(verifier.verify(&old.token), Err(AuthError::ExpiredToken));
    }

    #[test]
    fn short_secrets_and_bad_keys_are_refused() {
        assert!(matches!(
            TokenVerifier::hs256(b"short"),
            Err(TokenKeyError::SecretTooShort { len: 5 })
        ));
        assert!(TokenVerifier::public_key(PublicKeyAlgorithm::Rs256, b"not a pem").is_err());
    }

    #[test]
    fn issuer_and_audience_are_enforced_when_configured() {
        let issuer = TokenIssuer::hs256(SECRET, DEV_TOKEN_LIFETIME).unwrap();
        let token = issuer.issue(&demo_user(), SystemTime::now()).unwrap().token;
        let verifier = TokenVerifier::hs256(SECRET).unwrap().with_issuer("portal");
        assert!(matches!(
            verifier.verify(&token),
            Err(AuthError::InvalidToken { .. })
        ));
        let verifier = TokenVerifier::hs256(SECRET)
            .unwrap()
            .with_audience("dealflow");
        assert!(matches!(
            verifier.verify(&token),
            Err(AuthError::InvalidToken { .. })
        ));
    }
}
