package dev.prefixrouter.routing;

import java.util.Objects;

/**
 * A request's token ids as the engines tokenize it, or those of the leading part of its prompt.
 *
 * @param ids   the token ids, in order
 * @param share the part of the prompt they stand for, in {@code (0, 1]}: 1 for the whole prompt; less when they are
 *              a conversation's earlier turns, tokenized for an earlier request and reused for this one
 */
public record PromptTokens(int[] ids, double share) {

    public PromptTokens {
        Objects.requireNonNull(ids, "ids");
        if (!(share > 0 && share <= 1)) {
            throw new IllegalArgumentException("share must be in (0, 1], was " + share);
        }
    }

    /** The whole prompt's ids. */
    public static PromptTokens whole(int[] ids) {
        return new PromptTokens(ids, 1);
    }

    public boolean isWhole() {
        return share == 1;
    }
}
