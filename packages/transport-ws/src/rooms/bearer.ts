/** Whether an `Authorization` header carries `Bearer <token>`, compared in time that depends on the lengths only. */
export function bearerMatches(header: string | null | undefined, token: string): boolean {
  const given = new TextEncoder().encode(header ?? '');
  const expected = new TextEncoder().encode(`Bearer ${token}`);
  let difference = given.length ^ expected.length;
  for (let i = 0; i < expected.length; i++) difference |= (given[i] ?? 0) ^ expected[i]!;
  return difference === 0;
}
