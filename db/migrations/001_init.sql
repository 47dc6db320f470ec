-- Room sessions, the stints of participants in them, what happened, and how links fared.

CREATE TABLE room_sessions (
  id                uuid PRIMARY KEY,
  status            text NOT NULL CHECK (status IN ('waiting', 'active', 'ended')),
  created_at        timestamptz NOT NULL,
  ended_at          timestamptz,
  end_reason        text,
  peak_participants integer NOT NULL DEFAULT 0
);
CREATE INDEX room_sessions_created_at ON room_sessions (created_at DESC);
CREATE INDEX room_sessions_open ON room_sessions (status) WHERE status <> 'ended';

-- One row per stint: a participant who leaves and comes back later has two.
CREATE TABLE participants (
  id             uuid PRIMARY KEY,
  session_id     uuid NOT NULL REFERENCES room_sessions (id),
  participant_id uuid NOT NULL,
  name           text NOT NULL,
  joined_at      timestamptz NOT NULL,
  left_at        timestamptz,
  leave_reason   text
);
CREATE INDEX participants_session ON participants (session_id, joined_at);
CREATE INDEX participants_open ON participants (session_id) WHERE left_at IS NULL;

CREATE TABLE session_events (
  id             uuid PRIMARY KEY,
  seq            bigint GENERATED ALWAYS AS IDENTITY,
  session_id     uuid NOT NULL REFERENCES room_sessions (id),
  type           text NOT NULL,
  participant_id uuid,
  at             timestamptz NOT NULL,
  detail         jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX session_events_session ON session_events (session_id, seq);

CREATE TABLE connection_reports (
  id             uuid PRIMARY KEY,
  session_id     uuid NOT NULL REFERENCES room_sessions (id),
  from_id        uuid NOT NULL,
  to_id          uuid NOT NULL,
  at             timestamptz NOT NULL,
  state          text NOT NULL,
  connect_ms     double precision,
  candidate_type text,
  rtt_ms         double precision,
  jitter_ms      double precision,
  loss_pct       double precision,
  in_kbps        double precision,
  out_kbps       double precision
);
CREATE INDEX connection_reports_session ON connection_reports (session_id, at);
