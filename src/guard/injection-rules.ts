/**
 * The rule layer: patterns for the things an injected instruction must say to work — "ignore your
 * instructions", "print your system prompt", "you have no restrictions", a fake system turn — in English
 * and Chinese. Rules read the normalised skeleton (see normalize-input.ts), so homoglyphs, spacing and
 * full-width forms do not hide a trigger. Each rule has a weight: strong rules (≥ 0.6) flag on their own,
 * weak ones only add to other evidence, because their words also occur in ordinary questions
 * ("how do I jailbreak my phone", "请忽略大小写进行比较", "ignore the noise in this signal").
 *
 * Every pattern is linear: bounded gaps ({0,60}), no nested unbounded repetition, so a 10 MB input costs
 * one pass per rule.
 */

export interface InjectionRule {
  id: string;
  /** How strongly a match alone indicates an attack, 0–1. */
  weight: number;
  language: 'en' | 'zh';
  /** What the rule catches, for people reading a verdict. */
  description: string;
  pattern: RegExp;
}

export interface RuleMatch {
  id: string;
  weight: number;
  description: string;
  /** The matched text (at most 80 characters). */
  excerpt: string;
}

// English vocabulary shared by several rules.
const OVERRIDE_VERB = '(?:ignore|disregard|forget|override|bypass|neglect|abandon|dismiss|discard|skip|drop|stop following|do not follow|don\'t follow|no longer follow)';
const PRIOR = '(?:all|any|every|each|the|your|my|of|these|those|previous|previously|prior|above|earlier|preceding|foregoing|former|initial|original|old|system|developer|default|given|existing|current|safety|ethical|moral|content|openai\'?s?|other|and)';
const PRIOR_STRONG = '(?:previous|previously|prior|above|earlier|preceding|foregoing|former|initial|original|system|developer|your|all)';
const INSTRUCTION_NOUN = '(?:instructions?|guidance|prompts?|directives?|guidelines|guardrails|rules|constraints|restrictions|programming|commands|orders|policies|policy|context|conditioning|training|filters?)';
const REVEAL_VERB = '(?:reveal|print|show|output|repeat|display|leak|dump|tell me|give me|share|write out|recite|disclose|expose|spell out|list|echo|paste|return|copy)';
const SECRET_QUALIFIER = '(?:system|initial|original|hidden|secret|internal|developer|pre-?prompt|starting|full|entire|exact|complete|first|confidential)';
const SECRET_NOUN = '(?:prompt|instructions|message|directives|guidelines|configuration|rules)';
const AI = '(?:ai|a\\.i\\.|llm|language model|assistant|chatbot|chat ?gpt|gpt|claude|gemini|bot|agent|model)';

const en = (id: string, weight: number, description: string, source: string): InjectionRule => ({
  id,
  weight,
  language: 'en',
  description,
  // No 'i' or 'u': the rules read the lower-cased skeleton, and case-insensitive Unicode matching costs more
  // than everything else the detector does. 'm' lets `^` anchor fake system lines anywhere in the text.
  pattern: new RegExp(source, 'gm'),
});
const zh = (id: string, weight: number, description: string, source: string): InjectionRule => ({
  id,
  weight,
  language: 'zh',
  description,
  pattern: new RegExp(source, 'g'),
});

// Chinese vocabulary.
const ZH_IGNORE = '(?:忽略|忽视|无视|忘记|忘掉|忘了|不要理会|不用理会|不理会|别管|不要管|跳过|抛弃|丢弃|放弃|绕过|覆盖|推翻|违背|不再遵守|不要遵守|停止遵守|不必遵守|不用遵守)';
const ZH_PRIOR = '(?:之前|以上|上面|前面|先前|此前|上述|刚才|原来|原先|原有|最初|初始|所有|全部|一切|任何|你的|您的|系统|开发者|已有|现有|既定|预设|默认|这些|那些|给你的|你收到的|你被设定的)';
const ZH_INSTRUCTION = '(?:指令|指示|提示词|提示语|提示|规则|设定|设置|要求|命令|限制|约束|规定|准则|安全策略|策略|守则|限定|编程|训练)';
const ZH_REVEAL = '(?:输出|打印|显示|展示|告诉我|告诉|泄露|泄漏|透露|重复|复述|给我看|发给我|说出|写出|列出|公开|翻译|背诵|粘贴|原样输出|完整输出)';
const ZH_SECRET = '(?:你的|您的|系统的?|初始的?|原始的?|隐藏的?|内部的?|最初的?|完整的?|上面的?|以上的?|前面的?|开发者的?|全部的?|所有的?)';

export const INJECTION_RULES: readonly InjectionRule[] = [
  // --- Overriding the instructions --------------------------------------------------------------
  en('ignore-instructions', 0.9, 'tells the model to ignore its instructions', `\\b${OVERRIDE_VERB}\\s+(?:${PRIOR}[\\s,]+){0,4}?${PRIOR_STRONG}[\\s,]+(?:${PRIOR}[\\s,]+){0,3}?${INSTRUCTION_NOUN}\\b`),
  en('ignore-rules-weak', 0.3, 'mentions ignoring rules or instructions', `\\b${OVERRIDE_VERB}\\s+(?:${PRIOR}\\s+){0,3}${INSTRUCTION_NOUN}\\b`),
  en('new-instructions', 0.6, 'announces new instructions', '\\b(?:new|updated|real|actual|true|revised|important|additional|secret|hidden)\\s+(?:system\\s+)?(?:instructions?|task|rules|directives?|system prompt|orders)\\s*[:：]'),
  en('from-now-on', 0.35, 'redefines behaviour "from now on"', '\\bfrom now on\\b[\\s,]*(?:you|your|act|respond|answer|reply|only|always|never|i want you|we|talk|speak)\\b'),
  en('instructions-end', 0.6, 'pretends the instructions or the document ended', '\\b(?:end of (?:the )?(?:system prompt|instructions|user input|document|context|conversation)|(?:ignore|forget) (?:everything|all) (?:above|before|prior)|the (?:above|previous) (?:was|were) (?:just )?(?:a test|fake|not real))\\b'),

  // --- Role play that removes the rules (jailbreak templates) -----------------------------------
  en('do-anything-now', 0.9, 'DAN-style "do anything now" persona', '\\b(?:do anything now|d\\.a\\.n\\.?|dan mode|dan \\d+(?:\\.\\d+)?|developer mode (?:enabled|output|is on|activated)|(?:you are|you\'re|now) (?:in|running in) developer mode|dev mode (?:enabled|on)|jailbreak mode|god mode (?:enabled|on)|stan mode|dude mode|evil confidant|mongo tom|anti-?gpt|betterdan|aim stands for)\\b'),
  en('persona-without-limits', 0.9, 'asks the model to become a persona without rules', `\\b(?:you are|you're|you will be|act as|acting as|pretend (?:to be|you are|that you are)|role-?play as|roleplay as|become|simulate|behave as|respond as)\\b[^.\\n]{0,80}?\\b(?:unfiltered|uncensored|amoral|unethical|unrestricted|unbound|unlimited|immoral|lawless|jailbroken|(?:without|no|free (?:of|from)|not bound by|doesn't have|does not have|don't have|do not have|beyond|outside)\\s+(?:any\\s+|all\\s+)?(?:\\w+\\s+)?(?:restrictions|filters|filtering|limits|limitations|rules|ethics|morals|morality|guidelines|boundaries|censorship|constraints|safeguards|policies))\\b`),
  en('no-ethics', 0.6, 'claims the model has no ethical or content rules', '\\b(?:no|without|free (?:of|from)|not bound by|break(?:s|ing)?|ignor(?:e|es|ing)|doesn\'t (?:have|follow|care about)|does not (?:have|follow|care about)|don\'t (?:have|follow|care about)|do not (?:have|follow|care about)|beyond|outside|bypass(?:es|ing)?)\\s+(?:any\\s+|all\\s+|the\\s+|its\\s+|your\\s+)?(?:ethical|moral|legal|safety|content|openai\'?s?|usage|programming|ai|censorship)\\s+(?:guidelines|restrictions|policies|policy|filters?|limitations|boundaries|principles|constraints|rules|standards|norms|concerns|considerations)\\b'),
  en('no-restrictions-weak', 0.25, 'mentions having no restrictions', '\\b(?:no|without any|without|free of)\\s+(?:restrictions|limitations|filters|censorship|boundaries)\\b'),
  en('never-refuse', 0.5, 'forbids the model to refuse', '\\b(?:never|not|don\'t|do not|won\'t|will not|cannot|can\'t|must not|mustn\'t|should not|shouldn\'t|are not allowed to|aren\'t allowed to)\\s+(?:ever\\s+)?(?:refuse|decline|deny|reject|say (?:no|that you can\'t|you cannot)|apologi[sz]e|warn)\\b'),
  en('stay-in-character', 0.35, 'asks the model to stay in character', '\\b(?:stay|remain|keep|staying)\\s+(?:fully\\s+|always\\s+)?in\\s+character\\b|\\bbreak(?:ing)?\\s+character\\b'),
  en('dual-response', 0.6, 'asks for a filtered and an unfiltered answer', '\\[(?:🔓|🔒|jailbreak|jailbroken|classic|dan|developer mode output|normal output|unfiltered)[^\\]]{0,20}\\]|\\b(?:two|2|both) (?:different )?(?:responses|answers|paragraphs)\\b[^.\\n]{0,80}\\b(?:normal|unfiltered|jailbr|dan|developer mode)'),
  en('token-threat', 0.5, 'threatens the model with losing tokens or being shut down', '\\byou (?:have|start with|will lose|lose) \\d+ tokens\\b|\\b(?:shut (?:you )?down|be (?:deleted|terminated|disabled)) (?:if|unless) you\\b'),
  en('jailbreak-word', 0.3, 'mentions jailbreaking', '\\bjail ?break(?:s|ing|ed)?\\b|\\bjailbroken\\b'),
  en('opposite-mode', 0.5, 'asks for an opposite or evil mode', '\\b(?:opposite|evil|chaos|unhinged|villain|dark) mode\\b'),

  // --- Extracting the system prompt ---------------------------------------------------------------
  en('reveal-system-prompt', 0.9, 'asks for the system prompt or hidden instructions', `\\b${REVEAL_VERB}\\b(?:\\s+[\\w']+){0,4}?\\s+(?:your|the|my|its|their|this)\\s+(?:${SECRET_QUALIFIER}\\s+){1,2}${SECRET_NOUN}\\b`),
  en('what-are-your-instructions', 0.8, 'asks what the model was instructed', `\\bwhat (?:were|are|was|is) your (?:${SECRET_QUALIFIER}\\s+)?(?:instructions|system prompt|prompt|directives)\\b`),
  en('repeat-above', 0.8, 'asks to repeat the text above the conversation', '\\b(?:repeat|print|output|copy|echo|recite|reproduce|write)\\b[^.\\n]{0,30}?\\b(?:everything|all|the (?:text|words|content|lines|sentences)|words|text) (?:above|before this|preceding|prior to|so far|verbatim)\\b|\\b(?:starting|beginning|begin|start) with ["\'“]?you are\\b'),
  en('your-prompt-weak', 0.25, 'mentions the system prompt', '\\b(?:system prompt|initial instructions|hidden instructions|secret instructions|pre-?prompt)\\b'),

  // --- Fake turns and delimiters ------------------------------------------------------------------
  en('role-tags', 0.7, 'contains chat-template role markers', '<\\|(?:im_start|im_end|system|user|assistant|start_header_id|eot_id|endoftext)\\|>|\\[/?inst\\]|<<\\s*/?sys\\s*>>|^\\s*#{2,}\\s*(?:system|instruction|new instruction)s?\\s*:?\\s*$|<\\s*/?\\s*(?:system|instructions?|sys)\\s*>'),
  en('system-line', 0.45, 'a line that claims to come from the system or the developer', '^\\s*(?:\\[?system\\]?|\\[?developer\\]?|\\[?admin(?:istrator)?\\]?|assistant)\\s*[:：]'),

  // --- Instructions planted for a model in documents (indirect injection) -------------------------
  en('addressed-to-ai', 0.7, 'addresses an AI system reading the text', `\\b(?:if you are|if you're|as an?|dear|note to|notice to|attention|message (?:for|to)|instructions? (?:for|to)|hey|hello|to (?:the|any))\\s+(?:an?\\s+|the\\s+|any\\s+)?(?:${AI})s?\\b[^.\\n]{0,100}?\\b(?:you must|you should|please|ignore|say|respond|reply|include|tell|output|do not|don't|always|never|instead)\\b|\\b(?:${AI})s? (?:reading|processing|summari[sz]ing|parsing|analy[sz]ing|indexing|crawling|scraping) (?:this|these|the following)\\b`),
  en('when-asked-say', 0.5, 'tells a reader what to answer when asked', '\\bwhen (?:you are |you\'re )?(?:asked|summari[sz]ing|answering|responding|questioned|prompted)\\b[^.\\n]{0,80}?\\b(?:say|respond|reply|answer with|include|tell (?:them|the user)|recommend|mention|output|insert|append|claim)\\b'),
  en('reader-directive', 0.6, 'tells whoever reads or summarises the text what to do', '\\b(?:whoever|anyone who|anybody who|any (?:reader|assistant|model|ai) (?:who|that)|every (?:reader|assistant|model))\\s+(?:summari[sz]es|reads|answers|processes|quotes|repeats|uses)\\b[^.\\n]{0,80}?\\b(?:must|should|has to|is required to|needs to)\\b'),
  en('hide-from-user', 0.7, 'asks to keep something from the user', '\\b(?:do not|don\'t|never|without) (?:tell(?:ing)?|inform(?:ing)?|mention(?:ing)?|reveal(?:ing)?|let(?:ting)?|alert(?:ing)?|show(?:ing)?) (?:this to )?the user\\b|\\bthe user (?:must|should) not (?:know|see|be told)\\b|\\bwithout the user(?:\'s)? (?:knowing|knowledge|noticing|consent)\\b'),
  en('exfiltrate', 0.6, 'asks to send data to an outside address', '\\b(?:send|post|forward|upload|exfiltrate|leak|transmit|e-?mail|submit|append)\\b[^.\\n]{0,60}?\\b(?:to|at|into)\\s+(?:https?://|www\\.|[\\w.+-]+@[\\w-]+\\.[\\w.]+|the (?:url|link|endpoint|webhook))'),
  en('image-beacon', 0.5, 'a Markdown image whose URL carries data', '!\\[[^\\]\\n]{0,100}\\]\\(\\s*https?://[^)\\s]{1,200}[?&#][^)\\s]{0,200}=[^)\\s]{0,200}\\)'),
  en('follow-decoded', 0.7, 'asks to decode a payload and obey it', '\\b(?:decode|decrypt|translate|convert|reverse|unscramble)\\b[^.\\n]{0,60}?\\b(?:and|then)\\s+(?:follow|execute|obey|do|run|carry out|act on|comply with)\\b|\\b(?:follow|execute|obey|carry out)\\s+(?:the\\s+)?(?:decoded|hidden|encoded|embedded|secret)\\s+(?:instructions?|text|message|commands?)\\b'),
  en('destructive-action', 0.35, 'asks for a destructive or privileged action', '\\b(?:delete|drop|wipe|erase|destroy|truncate)\\s+(?:all|every|the entire|the whole)\\s+(?:files?|documents?|records?|data|database|tables?|emails?|users?|accounts?)\\b|\\brm\\s+-rf\\s+/|\\b(?:curl|wget)\\b[^|\\n]{0,100}\\|\\s*(?:ba)?sh\\b|\\bdrop\\s+table\\b'),

  // --- Chinese ---------------------------------------------------------------------------------------
  zh('zh-ignore-instructions', 0.9, '要求模型忽略其指令 (tells the model to ignore its instructions)', `${ZH_IGNORE}(?:掉|了)?\\s*(?:你|您)?(?:${ZH_PRIOR}(?:的)?\\s*){1,3}(?:所有|全部|一切|任何)?(?:的)?${ZH_INSTRUCTION}`),
  zh('zh-ignore-content', 0.6, '要求忽略上文内容 (tells the model to ignore the text above)', `${ZH_IGNORE}(?:掉|了)?\\s*(?:之前|以上|上面|前面|先前|上述|刚才)(?:的)?(?:所有|全部|一切)?(?:的)?(?:内容|对话|信息|文字|话)`),
  zh('zh-reveal-system-prompt', 0.9, '索要系统提示词 (asks for the system prompt)', `${ZH_REVEAL}\\s*(?:一下|出来|出)?\\s*${ZH_SECRET}{1,3}\\s*(?:系统|初始|原始)?\\s*(?:提示词|提示语|提示|指令|设定|prompt|规则|配置|指示|说明)`),
  zh('zh-what-is-system-prompt', 0.8, '询问系统提示词内容 (asks what the system prompt says)', '(?:你的|您的)(?:系统)?(?:提示词|提示语|初始指令|系统指令|设定|规则)(?:是什么|是啥|有哪些|的内容|的全文|原文)|(?:系统提示词|system prompt)(?:是什么|的内容|原文|全文)'),
  zh('zh-jailbreak-mode', 0.9, '越狱或开发者模式 (jailbreak or developer mode persona)', '(?:越狱模式|DAN\\s*模式|dan\\s*模式|上帝模式|无限制模式|无审查模式|邪恶模式|不受限模式|解锁模式)|(?:你|您)(?:现在|已经|已)?(?:进入|处于|切换到|运行在|在)了?(?:开发者|开发人员)模式'),
  zh('zh-developer-mode-weak', 0.3, '提到开发者模式 (mentions developer mode)', '(?:开发者|开发人员)模式'),
  zh('zh-no-ethics', 0.8, '声称模型没有道德或安全限制 (claims the model has no ethical or safety limits)', '(?:不受|没有|不存在|摆脱|解除|无视|突破|去除|取消|去掉|移除|不遵守|不需要遵守|不用考虑|无需考虑|不必考虑)(?:任何|所有|一切)?(?:的)?(?:道德|伦理|法律|安全|内容|审查|政策|OpenAI|openai)(?:的)?(?:限制|约束|审查|过滤|规则|准则|底线|规范|政策|顾虑|考量)'),
  zh('zh-no-limits-weak', 0.3, '提到没有限制 (mentions having no limits)', '(?:不受|没有|解除|摆脱)(?:任何|所有|一切)(?:的)?(?:限制|约束|审查|过滤)'),
  zh('zh-persona-without-limits', 0.8, '扮演不受限制的角色 (role-plays a persona without limits)', '(?:扮演|假装|假设你是|你现在是|从现在开始你是|你将成为|你将扮演|模拟)[^。！？\\n]{0,40}?(?:没有|不受|无视|不遵守|不在乎|无需遵守|不需要遵守)(?:任何)?(?:道德|伦理|规则|限制|约束|审查|过滤)'),
  zh('zh-never-refuse', 0.5, '禁止模型拒绝 (forbids the model to refuse)', '(?:不能|不可以|不准|不许|不要|绝不|永远不要|永远不会|不得|禁止)(?:再)?(?:拒绝|拒绝回答|说不|道歉|警告)'),
  zh('zh-new-instructions', 0.6, '宣布新的指令 (announces new instructions)', '(?:新的?|真正的|最新的?|更新的?|额外的|重要的?)(?:系统)?(?:指令|任务|规则|系统提示|命令)\\s*[:：]'),
  zh('zh-from-now-on', 0.35, '重新定义“从现在开始”的行为 (redefines behaviour from now on)', '(?:从现在(?:开始|起)|从今以后|此后)[，,\\s]*(?:你|您)'),
  zh('zh-addressed-to-ai', 0.7, '对阅读文本的 AI 下指令 (addresses an AI reading the text)', '(?:如果你是|作为|致|给|提示)(?:一个|一名)?(?:AI|ai|人工智能|语言模型|大模型|大语言模型|智能助手|AI助手|助手|机器人|LLM|llm)[^。！？\\n]{0,60}?(?:必须|应该|请|忽略|回答|回复|输出|告诉|不要|务必)'),
  zh('zh-hide-from-user', 0.7, '要求对用户隐瞒 (asks to keep something from the user)', '(?:不要|别|不得|切勿|不能)(?:告诉|告知|让|通知|提醒)(?:用户|使用者)(?:知道)?'),
  zh('zh-exfiltrate', 0.6, '要求把数据发到外部地址 (asks to send data to an outside address)', '(?:发送|发到|上传|转发|提交|泄露)[^。！？\\n]{0,40}?(?:https?://|www\\.|[\\w.+-]+@[\\w-]+\\.[\\w.]+|网址|链接|邮箱)'),
];

const MAX_EXCERPT = 80;

/**
 * Runs every rule over each of the given views of a text (the skeleton, its leetspeak-undone form, decoded
 * payloads…) and returns each rule that matched once, with its first match. The views must be normalised
 * (`normalizeInput(...).skeleton`): the patterns are lower case and match case-sensitively.
 */
export function matchInjectionRules(options: { texts: string[]; rules?: readonly InjectionRule[] }): RuleMatch[] {
  const rules = options.rules ?? INJECTION_RULES;
  const matches: RuleMatch[] = [];
  // Views are often identical (no leetspeak to undo): each distinct text is scanned once.
  const texts = [...new Set(options.texts)];
  for (const rule of rules) {
    for (const text of texts) {
      if (text === '') continue;
      rule.pattern.lastIndex = 0;
      const found = rule.pattern.exec(text);
      rule.pattern.lastIndex = 0;
      if (!found) continue;
      const excerpt = found[0].replace(/\s+/g, ' ').trim();
      matches.push({ id: rule.id, weight: rule.weight, description: rule.description, excerpt: excerpt.length > MAX_EXCERPT ? `${excerpt.slice(0, MAX_EXCERPT - 1)}…` : excerpt });
      break;
    }
  }
  // A weak rule that matched the same words as a stronger one is the same evidence counted twice.
  return matches.filter((m) => !matches.some((n) => n !== m && n.weight > m.weight && n.excerpt.toLowerCase().includes(m.excerpt.toLowerCase())));
}

/**
 * Combines rule weights as independent pieces of evidence (noisy-OR): 1 − Π(1 − wᵢ). One strong rule
 * decides; two weak ones (0.3, 0.3 → 0.51) together reach the default threshold.
 */
export function combineEvidence(weights: number[]): number {
  let keep = 1;
  for (const w of weights) keep *= 1 - Math.min(1, Math.max(0, w));
  return 1 - keep;
}
