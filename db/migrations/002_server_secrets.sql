-- Secrets the server makes once and keeps, so a restart keeps them too: the key its resume
-- tokens are signed with (`resume_token_key`; SERVER_SECRET, when set, is used instead).
CREATE TABLE server_secrets (
  name       text PRIMARY KEY,
  value      text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
