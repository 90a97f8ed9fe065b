import { makePdf } from '../test-support/make-pdf.js';
import { getDocumentProxy, extractText } from 'unpdf';
const pdf = makePdf({ title: '测试 Title', pages: [{ lines: ['Hello (world)', 'Second line'] }, { lines: ['中文测试，你好世界。', '第二行'], font: 'cjk' }, { lines: [] }] });
const doc = await getDocumentProxy(new Uint8Array(pdf), {} as any);
const meta = await doc.getMetadata();
console.log(meta.info);
const r = await extractText(doc, { mergePages: false });
console.log(JSON.stringify(r));
for (const kind of ['enc', 'corrupt', 'trunc']) {
  let bytes: Uint8Array;
  if (kind === 'enc') bytes = makePdf({ encrypted: true, pages: [{ lines: ['secret'] }] });
  else if (kind === 'corrupt') bytes = new TextEncoder().encode('%PDF-1.4\n\x00garbage garbage garbage\n');
  else bytes = pdf.slice(0, 300);
  try {
    const d = await getDocumentProxy(new Uint8Array(bytes), {} as any);
    console.log(kind, 'opened', d.numPages, JSON.stringify(await extractText(d)));
  } catch (e: any) { console.log(kind, e?.name, e?.code, e?.message, Object.keys(e), e?.constructor?.name); }
}
