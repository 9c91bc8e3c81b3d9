/** Reasons from the rules come without a full stop ("Not licensed for print"); messages may have one. */
export function asSentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`
}
