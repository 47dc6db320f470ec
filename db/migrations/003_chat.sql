-- Chat messages, in the order the room took them (seq: their place in the conversation).
CREATE TABLE chat_messages (
  id             uuid PRIMARY KEY,
  session_id     uuid NOT NULL REFERENCES room_sessions (id),
  seq            integer NOT NULL,
  participant_id uuid NOT NULL,
  name           text NOT NULL,
  at             timestamptz NOT NULL,
  text           text NOT NULL
);
CREATE INDEX chat_messages_session ON chat_messages (session_id, seq);

-- A session that carries on the conversation of one a server restart cut off: its history
-- continues the conversation begun in session `thread_id` (its seq goes on from there).
CREATE TABLE chat_threads (
  id        uuid PRIMARY KEY REFERENCES room_sessions (id),
  thread_id uuid NOT NULL
);
CREATE INDEX chat_threads_thread ON chat_threads (thread_id);
