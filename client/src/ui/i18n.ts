/** The interface's words, in English and Japanese; Japanese when the browser prefers it. */
const en = {
  title: 'meshtalk',
  tagline: 'Voice and screen sharing for your team. Say your name and join.',
  yourName: 'Your name',
  /** Why a name cannot be used: the protocol's rule (protocol/src/names.ts), in words. */
  nameProblem: {
    empty: 'Enter a name.',
    too_long: 'A name is at most 64 characters.',
    control: 'A name cannot contain control or text-direction characters.',
    no_letter: 'A name needs at least one visible letter or digit.',
  },
  microphone: 'Microphone',
  defaultMic: 'Default microphone',
  join: 'Join',
  joining: 'Joining…',
  micStarting: 'Starting your microphone…',
  micLevel: 'Microphone level',
  micDenied: 'No microphone access. You can still join and listen; others will not hear you.',
  micMissing: 'No microphone found. You can still join and listen; others will not hear you.',
  listenOnly: 'Listening only: no microphone',
  mute: 'Mute',
  unmute: 'Unmute',
  shareScreen: 'Share screen',
  stopSharing: 'Stop sharing',
  leave: 'Leave',
  copyLink: 'Copy link',
  linkCopied: 'Link copied',
  reconnecting: 'Reconnecting… Your audio keeps flowing meanwhile.',
  /** The capacity comes from the server's `room_full` answer; null when it is not known. */
  roomFull: (capacity: number | null) => `The room is full${capacity === null ? '' : ` (${capacity} people)`}. Try again when someone leaves.`,
  replaced: 'You joined from another tab or window, so this one left the call.',
  left: 'You left the call.',
  you: 'you',
  muted: 'Muted',
  speaking: 'Speaking',
  presenting: 'Presenting',
  isPresenting: (name: string) => `${name} is presenting`,
  presentingNow: 'You are presenting your screen',
  screenBusy: (name: string) => `${name} is presenting. Only one person can share at a time.`,
  shareFailed: 'Screen sharing did not start.',
  dismiss: 'Dismiss',
  poorLink: (name: string) => `Poor connection with ${name}`,
  badLink: (name: string) => `Bad connection with ${name}: sending less to them`,
  link: { good: 'Good link', poor: 'Poor link', bad: 'Bad link', connecting: 'Connecting', lost: 'Connection lost' },
  participants: (n: number) => `${n} in the room`,
  alone: 'You are the only one here. Copy the link and send it to your team.',
  shortcuts: 'Press M to mute or unmute.',
  chat: 'Chat',
  message: 'Message',
  send: 'Send',
  unread: (n: number) => `${n} unread`,
  noMessages: 'No messages yet.',
  /** Why a message was not sent: the protocol's rule (protocol/src/chat.ts), in words. */
  chatProblem: {
    empty: 'Write something first.',
    too_long: 'A message is at most 2,000 characters.',
    control: 'A message cannot contain control characters.',
  },
  chatTooFast: 'You are sending messages too fast',
  chatFailed: (why: string) => `Not sent: ${why}`,
  newMessage: (name: string, text: string) => `${name}: ${text}`,
  raiseHand: 'Raise hand',
  lowerHand: 'Lower hand',
  handRaised: (place: number) => `Hand raised (${place} in line)`,
  handShortcut: 'Press R to raise or lower your hand.',
} as const;

type Strings = { [K in keyof typeof en]: (typeof en)[K] extends (...a: infer A) => string ? (...a: A) => string : (typeof en)[K] extends string ? string : { [L in keyof (typeof en)[K]]: string } };

const ja: Strings = {
  title: 'meshtalk',
  tagline: 'チームのための音声通話と画面共有。名前を入れて参加してください。',
  yourName: 'あなたの名前',
  nameProblem: {
    empty: '名前を入力してください。',
    too_long: '名前は 64 文字までです。',
    control: '名前に制御文字や文字方向を変える文字は使えません。',
    no_letter: '名前には見える文字か数字が一つ以上必要です。',
  },
  microphone: 'マイク',
  defaultMic: '既定のマイク',
  join: '参加',
  joining: '参加しています…',
  micStarting: 'マイクを準備しています…',
  micLevel: 'マイクの音量',
  micDenied: 'マイクを使えません。聞くだけで参加できます（相手には聞こえません）。',
  micMissing: 'マイクが見つかりません。聞くだけで参加できます（相手には聞こえません）。',
  listenOnly: '聞くだけ（マイクなし）',
  mute: 'ミュート',
  unmute: 'ミュート解除',
  shareScreen: '画面共有',
  stopSharing: '共有を停止',
  leave: '退出',
  copyLink: 'リンクをコピー',
  linkCopied: 'コピーしました',
  reconnecting: '再接続しています… 音声はそのまま届いています。',
  roomFull: (capacity: number | null) => `ルームが満員です${capacity === null ? '' : `（${capacity}人）`}。誰かが退出してからもう一度お試しください。`,
  replaced: '別のタブやウィンドウで参加したため、こちらは退出しました。',
  left: '通話から退出しました。',
  you: 'あなた',
  muted: 'ミュート中',
  speaking: '話しています',
  presenting: '発表中',
  isPresenting: (name: string) => `${name} さんが画面を共有しています`,
  presentingNow: 'あなたの画面を共有しています',
  screenBusy: (name: string) => `${name} さんが画面を共有中です。共有できるのは一度に一人です。`,
  shareFailed: '画面共有を開始できませんでした。',
  dismiss: '閉じる',
  poorLink: (name: string) => `${name} さんとの接続が不安定です`,
  badLink: (name: string) => `${name} さんとの接続が悪いため、送信量を下げています`,
  link: { good: '接続良好', poor: '接続不安定', bad: '接続不良', connecting: '接続中', lost: '接続が切れました' },
  participants: (n: number) => `${n} 人が参加中`,
  alone: '参加者はあなただけです。リンクをコピーしてチームに送りましょう。',
  shortcuts: 'M キーでミュートの切り替え。',
  chat: 'チャット',
  message: 'メッセージ',
  send: '送信',
  unread: (n: number) => `未読 ${n} 件`,
  noMessages: 'まだメッセージはありません。',
  chatProblem: {
    empty: 'メッセージを入力してください。',
    too_long: 'メッセージは 2,000 文字までです。',
    control: 'メッセージに制御文字は使えません。',
  },
  chatTooFast: 'メッセージの送信が速すぎます',
  chatFailed: (why: string) => `送信できませんでした: ${why}`,
  newMessage: (name: string, text: string) => `${name} さん: ${text}`,
  raiseHand: '手を挙げる',
  lowerHand: '手を下ろす',
  handRaised: (place: number) => `挙手中（${place} 番目）`,
  handShortcut: 'R キーで挙手の切り替え。',
};

export type { Strings };

export function pickLanguage(languages: readonly string[]): 'en' | 'ja' {
  for (const l of languages) {
    const base = l.toLowerCase().split('-')[0];
    if (base === 'ja') return 'ja';
    if (base === 'en') return 'en';
  }
  return 'en';
}

export function strings(lang: 'en' | 'ja'): Strings {
  return lang === 'ja' ? ja : (en as unknown as Strings);
}

export const lang: 'en' | 'ja' = typeof navigator === 'undefined' ? 'en' : pickLanguage(navigator.languages ?? [navigator.language]);
export const t: Strings = strings(lang);
