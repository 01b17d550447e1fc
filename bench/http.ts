export async function runHttp(_seconds: number): Promise<string> {
  return "";
}
