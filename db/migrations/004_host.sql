-- The host role and the lock, kept so that a restart brings the room back as it was (SPEC.md P1):
-- one row, rewritten whenever the host, the lock or the members change.
CREATE TABLE room_state (
  id          smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  host_id     uuid,
  locked      boolean NOT NULL DEFAULT false,
  -- [{ "id": uuid, "joinedAt": ms }], longest present first: they come back without knocking.
  members     jsonb NOT NULL DEFAULT '[]'::jsonb,
  updated_at  timestamptz NOT NULL
);

-- Participants the host (or an admin) removed: their resume tokens stay refused (SPEC.md H6).
CREATE TABLE removed_participants (
  participant_id uuid PRIMARY KEY,
  session_id     uuid,
  removed_at     timestamptz NOT NULL
);
CREATE INDEX removed_participants_at ON removed_participants (removed_at DESC);
