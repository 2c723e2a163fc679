package hspnet.clip.tokenizer;

import java.util.HashMap;
import java.util.Map;

/**
 * The named character references that {@link HtmlUnescaper} knows: the 252 entities of HTML 4.01
 * plus {@code &apos;} and the upper-case aliases {@code &AMP; &LT; &GT; &QUOT; &COPY; &REG;}, each
 * with its HTML5 code point (HTML5 moved {@code &lang;}/{@code &rang;} to U+27E8/U+27E9, and
 * Python's {@code html.unescape} follows HTML5). HTML5 also accepts 106 of them without the
 * semicolon (the "legacy" names: the Latin-1 block plus amp, lt, gt, quot and the upper-case
 * aliases); those are in the map under their bare name too.
 *
 * <p>The other ~2000 HTML5-only names ({@code &NewLine;}, {@code &bigstar;}, ...) are not here.
 */
final class HtmlEntities {
  private HtmlEntities() {}

  /** Latin-1 entities, for U+00A0 to U+00FF in code point order. */
  private static final String LATIN1 =
      "nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn"
          + " sup2 sup3 acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest"
          + " Agrave Aacute Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave"
          + " Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave"
          + " Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml aring aelig"
          + " ccedil egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde ograve oacute"
          + " ocirc otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml";

  /** Every other entity as name=decimal code point. */
  private static final String OTHERS =
      // special (HTML 4 "special" set, plus apos and the upper-case legacy aliases)
      "quot=34 amp=38 lt=60 gt=62 apos=39 QUOT=34 AMP=38 LT=60 GT=62 COPY=169 REG=174"
          + " OElig=338 oelig=339 Scaron=352 scaron=353 Yuml=376 circ=710 tilde=732 ensp=8194"
          + " emsp=8195 thinsp=8201 zwnj=8204 zwj=8205 lrm=8206 rlm=8207 ndash=8211 mdash=8212"
          + " lsquo=8216 rsquo=8217 sbquo=8218 ldquo=8220 rdquo=8221 bdquo=8222 dagger=8224"
          + " Dagger=8225 permil=8240 lsaquo=8249 rsaquo=8250 euro=8364"
          // symbols and Greek
          + " fnof=402 Alpha=913 Beta=914 Gamma=915 Delta=916 Epsilon=917 Zeta=918 Eta=919"
          + " Theta=920 Iota=921 Kappa=922 Lambda=923 Mu=924 Nu=925 Xi=926 Omicron=927 Pi=928"
          + " Rho=929 Sigma=931 Tau=932 Upsilon=933 Phi=934 Chi=935 Psi=936 Omega=937"
          + " alpha=945 beta=946 gamma=947 delta=948 epsilon=949 zeta=950 eta=951 theta=952"
          + " iota=953 kappa=954 lambda=955 mu=956 nu=957 xi=958 omicron=959 pi=960 rho=961"
          + " sigmaf=962 sigma=963 tau=964 upsilon=965 phi=966 chi=967 psi=968 omega=969"
          + " thetasym=977 upsih=978 piv=982 bull=8226 hellip=8230 prime=8242 Prime=8243"
          + " oline=8254 frasl=8260 weierp=8472 image=8465 real=8476 trade=8482 alefsym=8501"
          + " larr=8592 uarr=8593 rarr=8594 darr=8595 harr=8596 crarr=8629 lArr=8656 uArr=8657"
          + " rArr=8658 dArr=8659 hArr=8660 forall=8704 part=8706 exist=8707 empty=8709"
          + " nabla=8711 isin=8712 notin=8713 ni=8715 prod=8719 sum=8721 minus=8722"
          + " lowast=8727 radic=8730 prop=8733 infin=8734 ang=8736 and=8743 or=8744 cap=8745"
          + " cup=8746 int=8747 there4=8756 sim=8764 cong=8773 asymp=8776 ne=8800 equiv=8801"
          + " le=8804 ge=8805 sub=8834 sup=8835 nsub=8836 sube=8838 supe=8839 oplus=8853"
          + " otimes=8855 perp=8869 sdot=8901 lceil=8968 rceil=8969 lfloor=8970 rfloor=8971"
          + " lang=10216 rang=10217 loz=9674 spades=9824 clubs=9827 hearts=9829 diams=9830";

  /** Names that HTML5 also recognises without the trailing semicolon (besides all of LATIN1). */
  private static final String LEGACY_OTHERS = "quot amp lt gt QUOT AMP LT GT COPY REG";

  /** Name with its semicolon ({@code "amp;"}) or legacy name without ({@code "amp"}) → text. */
  static final Map<String, String> BY_NAME;
  static {
    Map<String, String> all = new HashMap<>();
    Map<String, String> legacy = new HashMap<>();
    String[] latin1 = LATIN1.split(" ");
    if (latin1.length != 96) {
      throw new AssertionError("Latin-1 entity list has " + latin1.length + " names, not 96");
    }
    for (int i = 0; i < latin1.length; i++) {
      String text = Character.toString(0xA0 + i);
      all.put(latin1[i] + ";", text);
      legacy.put(latin1[i], text);
    }
    for (String entry : OTHERS.split(" ")) {
      int eq = entry.indexOf('=');
      all.put(entry.substring(0, eq) + ";", Character.toString(Integer.parseInt(entry.substring(eq + 1))));
    }
    for (String name : LEGACY_OTHERS.split(" ")) {
      legacy.put(name, all.get(name + ";"));
    }
    all.putAll(legacy);
    BY_NAME = Map.copyOf(all);
  }
}
