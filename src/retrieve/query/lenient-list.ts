import { z } from 'zod';

/**
 * An array schema whose invalid entries read as `null` instead of failing the whole reply. The model is
 * still asked for the strict item shape (the JSON Schema shows `item` or null); a reply with nine good
 * entries and one malformed one keeps the nine, where a strict schema would send the whole reply to a
 * repair turn and, after the repairs, lose it. The caller skips the nulls.
 */
export function lenientList<T extends z.ZodType>(item: T) {
  // `.catch` would add `"default": null` to the JSON Schema, a keyword strict-mode providers may refuse;
  // metadata with an undefined value drops it from the converted schema again.
  return z.array(item.nullable().catch(null).meta({ default: undefined }));
}
