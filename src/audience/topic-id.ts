/** A topic's id: lower-case words joined by hyphens, as it goes into List-Id, the signed tokens and the preferences page. */
export const TOPIC_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** A topic id's length limit, so `<topic>.<list id>` still fits a header line. */
export const TOPIC_ID_MAX = 40;
