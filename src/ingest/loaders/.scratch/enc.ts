import chardet from 'chardet';
import iconv from 'iconv-lite';
const samples = {
  zhShort: '你好，世界',
  zh: '检索增强生成是一种结合信息检索和文本生成的技术。本地优先的知识库可以在离线环境中运行。\n第二段：中文编码测试。',
  zhTw: '檢索增強生成是一種結合資訊檢索和文字生成的技術。本地優先的知識庫可以在離線環境中運行。\n第二段：中文編碼測試。',
  latin: 'Café au lait, naïve résumé — déjà vu. Ça coûte 5 €.\nLigne deux.',
  ja: 'これは日本語のテキストです。検索拡張生成。',
};
for (const [k, s] of Object.entries(samples)) {
  for (const enc of ['gb18030', 'big5', 'latin1', 'win1252', 'shift_jis', 'euc-kr']) {
    let b: Buffer; try { b = iconv.encode(s, enc); } catch { continue; }
    if (iconv.decode(b, enc) !== s) continue;
    const a = chardet.analyse(b).slice(0, 4).map(m => `${m.name}:${m.confidence}`).join(' ');
    console.log(k, enc, '=>', a);
  }
}
console.log(iconv.encodingExists('big5'), iconv.encodingExists('cp950'), iconv.encodingExists('gbk'), iconv.encodingExists('utf-32le'), iconv.encodingExists('iso-2022-jp'));
console.log(JSON.stringify(iconv.decode(Buffer.from([0x81, 0x8d, 0x41]), 'windows-1252')), JSON.stringify(iconv.decode(Buffer.from([0xa4, 0xa4, 0xff]), 'big5')), JSON.stringify(iconv.decode(Buffer.from([0xd6, 0xd0, 0xff, 0x80]), 'gb18030')));
