"""Word lists for the demo network: French names, regions, cities and partner companies.

Written for Miroir; every company name is invented. The lists are data of a French
retail network, so they stay in French whatever the interface language.
"""

from __future__ import annotations

FEMALE_FIRST_NAMES: tuple[str, ...] = (
    "Agathe", "Alice", "Amandine", "Anaïs", "Aurélie", "Camille", "Céline", "Charlotte",
    "Chloé", "Clara", "Élodie", "Émilie", "Emma", "Fatou", "Hélène", "Inès", "Isabelle",
    "Jade", "Julie", "Justine", "Karine", "Laura", "Léa", "Léna", "Louise", "Lucie",
    "Maëlle", "Manon", "Margaux", "Marie", "Mathilde", "Nadia", "Nathalie", "Océane",
    "Pauline", "Salomé", "Sandrine", "Sarah", "Sophie", "Valérie", "Yasmine", "Zoé",
)  # fmt: skip

MALE_FIRST_NAMES: tuple[str, ...] = (
    "Adrien", "Alexandre", "Antoine", "Bastien", "Baptiste", "Christophe", "Clément",
    "David", "Enzo", "Florian", "François", "Frédéric", "Gaëtan", "Guillaume", "Hugo",
    "Jean-Baptiste", "Jean-Marc", "Jérôme", "Julien", "Karim", "Kévin", "Laurent", "Loïc",
    "Louis", "Lucas", "Mamadou", "Mathis", "Maxime", "Mehdi", "Nathan", "Nicolas",
    "Olivier", "Pierre", "Quentin", "Rayan", "Romain", "Sébastien", "Stéphane", "Théo",
    "Thomas", "Vincent", "Yanis",
)  # fmt: skip

LAST_NAMES: tuple[str, ...] = (
    "Adam", "André", "Arnaud", "Aubert", "Aubry", "Bailly", "Barbier", "Baron", "Barré",
    "Benali", "Benoît", "Berger", "Bernard", "Bertin", "Bertrand", "Besson", "Blanc",
    "Blanchard", "Bonnet", "Boucher", "Boulanger", "Bourgeois", "Bouvier", "Boyer",
    "Breton", "Brun", "Brunet", "Caron", "Carpentier", "Carré", "Chauvin", "Chevalier",
    "Clément", "Colin", "Cordier", "Cousin", "Da Silva", "Daniel", "Delaunay", "Denis",
    "Deschamps", "Diallo", "Diop", "Dubois", "Dufour", "Dumas", "Dumont", "Dupont",
    "Dupuis", "Durand", "Duval", "Étienne", "Fabre", "Faure", "Ferreira", "Fleury",
    "Fontaine", "Fournier", "Garcia", "Garnier", "Gauthier", "Gérard", "Germain",
    "Gillet", "Girard", "Giraud", "Grondin", "Guérin", "Guichard", "Haddad", "Hamon",
    "Henry", "Hervé", "Hoarau", "Hubert", "Huet", "Jacob", "Jacquet", "Joly", "Klein",
    "Lacroix", "Lambert", "Langlois", "Laporte", "Laurent", "Le Gall", "Le Goff",
    "Leblanc", "Lebrun", "Leclerc", "Lefebvre", "Lefèvre", "Legrand", "Lejeune",
    "Lemaire", "Lemoine", "Leroux", "Leroy", "Lopez", "Maillard", "Marchand", "Maréchal",
    "Martin", "Martinez", "Masson", "Mathieu", "Mendes", "Ménard", "Mercier", "Meunier",
    "Meyer", "Michaud", "Michel", "Millet", "Monnier", "Moreau", "Morel", "Morin",
    "Moulin", "Muller", "N'Diaye", "Nguyen", "Noël", "Payet", "Pelletier", "Perrin",
    "Perrot", "Petit", "Picard", "Pichon", "Poirier", "Poulain", "Prévost", "Renard",
    "Renaud", "Rey", "Richard", "Rivière", "Robert", "Robin", "Roche", "Rolland",
    "Roussel", "Rousseau", "Roux", "Roy", "Schmitt", "Simon", "Tessier", "Traoré",
    "Vasseur", "Vidal", "Vincent", "Weber",
)  # fmt: skip

# Region names in the order regions are created; beyond them regions are "Région N".
REGIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Nord", (
        "Lille", "Arras", "Amiens", "Dunkerque", "Valenciennes", "Calais", "Roubaix",
        "Tourcoing", "Douai", "Lens", "Béthune", "Cambrai", "Boulogne-sur-Mer",
        "Saint-Quentin", "Maubeuge", "Beauvais", "Compiègne", "Abbeville",
    )),
    ("Est", (
        "Strasbourg", "Metz", "Nancy", "Reims", "Mulhouse", "Colmar", "Troyes", "Épinal",
        "Thionville", "Charleville-Mézières", "Besançon", "Dijon", "Belfort",
        "Châlons-en-Champagne", "Verdun", "Haguenau", "Sarreguemines", "Saint-Dié-des-Vosges",
    )),
    ("Ouest", (
        "Nantes", "Rennes", "Brest", "Angers", "Le Mans", "Caen", "Lorient", "Quimper",
        "Vannes", "Saint-Nazaire", "La Roche-sur-Yon", "Cherbourg-en-Cotentin", "Saint-Malo",
        "Laval", "Cholet", "Saint-Brieuc", "Lannion", "Alençon",
    )),
    ("Sud", (
        "Marseille", "Toulouse", "Montpellier", "Nice", "Toulon", "Nîmes", "Perpignan",
        "Avignon", "Aix-en-Provence", "Béziers", "Cannes", "Narbonne", "Carcassonne", "Arles",
        "Albi", "Sète", "Antibes", "Fréjus",
    )),
    ("Centre", (
        "Orléans", "Tours", "Bourges", "Blois", "Chartres", "Châteauroux", "Vierzon",
        "Montargis", "Dreux", "Vendôme", "Nevers", "Auxerre", "Sens", "Issoudun",
    )),
    ("Île-de-France", (
        "Paris", "Versailles", "Boulogne-Billancourt", "Saint-Denis", "Argenteuil",
        "Montreuil", "Nanterre", "Créteil", "Vitry-sur-Seine", "Cergy", "Évry-Courcouronnes",
        "Meaux", "Melun", "Saint-Germain-en-Laye", "Massy", "Rueil-Malmaison",
    )),
    ("Sud-Ouest", (
        "Bordeaux", "Pau", "Bayonne", "Limoges", "Poitiers", "La Rochelle", "Angoulême",
        "Périgueux", "Agen", "Mont-de-Marsan", "Biarritz", "Niort", "Brive-la-Gaillarde",
        "Tarbes", "Montauban", "Bergerac",
    )),
    ("Rhône-Alpes", (
        "Lyon", "Grenoble", "Saint-Étienne", "Annecy", "Chambéry", "Villeurbanne", "Valence",
        "Clermont-Ferrand", "Bourg-en-Bresse", "Roanne", "Vienne", "Annemasse", "Aurillac",
        "Montélimar", "Vichy", "Thonon-les-Bains",
    )),
)  # fmt: skip

# When a region has more shops than cities, a city gets a second shop in a district.
DISTRICTS: tuple[str, ...] = (
    "Centre", "Gare", "Nord", "Sud", "Est", "Ouest", "Les Halles", "Zone commerciale",
    "Rive gauche", "Rive droite", "Université", "Port",
)  # fmt: skip

# (name, kind, job titles as (masculine, feminine)) — kind is a PartnerKind value.
PARTNER_ORGANISATIONS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    ("Intérim Atout", "agency", ()),
    ("Relais Emploi Intérim", "agency", ()),
    ("Tempo Services", "agency", ()),
    ("Horizon Travail Temporaire", "agency", ()),
    ("Éclat Propreté", "contractor", (("Agent d'entretien", "Agente d'entretien"),)),
    ("Vigie Sécurité", "contractor", (("Agent de sécurité", "Agente de sécurité"),)),
    (
        "Delta Maintenance",
        "contractor",
        (("Technicien de maintenance", "Technicienne de maintenance"),),
    ),
    ("Froid Service Technique", "contractor", (("Frigoriste", "Frigoriste"),)),
    ("Vergers du Val", "supplier", (("Livreur", "Livreuse"), ("Merchandiseur", "Merchandiseuse"))),
    (
        "Fromagerie des Coteaux",
        "supplier",
        (
            ("Merchandiseur", "Merchandiseuse"),
            ("Animateur commercial", "Animatrice commerciale"),
        ),
    ),
    ("Boulangerie Lemoine & Fils", "supplier", (("Livreur", "Livreuse"),)),
    ("Brasserie du Littoral", "supplier", (("Merchandiseur", "Merchandiseuse"),)),
    ("Distrib'Express", "supplier", (("Chauffeur-livreur", "Chauffeuse-livreuse"),)),
    ("Les Jardins d'Aurore", "supplier", (("Animateur commercial", "Animatrice commerciale"),)),
)

# Team label → (job titles as (masculine, feminine), team lead title).
TEAMS: dict[str, tuple[tuple[tuple[str, str], ...], str]] = {
    "Vente": (
        (("Vendeur", "Vendeuse"), ("Conseiller de vente", "Conseillère de vente")),
        "Responsable de rayon",
    ),
    "Caisse": (
        (("Hôte de caisse", "Hôtesse de caisse"), ("Caissier", "Caissière")),
        "Responsable caisses",
    ),
    "Réserve": (
        (
            ("Magasinier", "Magasinière"),
            ("Préparateur de commandes", "Préparatrice de commandes"),
            ("Réceptionnaire", "Réceptionnaire"),
        ),
        "Chef d'équipe logistique",
    ),
}

SHOP_MANAGER_TITLE = ("Directeur de magasin", "Directrice de magasin")
REGION_MANAGER_TITLE = ("Directeur régional", "Directrice régionale")
REGION_STAFF_TITLES: tuple[tuple[str, str], ...] = (
    ("Responsable RH régional", "Responsable RH régionale"),
    ("Animateur réseau", "Animatrice réseau"),
)
# The first three head-office posts hold the direction role.
DIRECTION_TITLES: tuple[tuple[str, str], ...] = (
    ("Directeur général", "Directrice générale"),
    ("Directeur des ressources humaines", "Directrice des ressources humaines"),
    ("Directeur de l'expérience client", "Directrice de l'expérience client"),
)
ADMINISTRATOR_TITLE = (
    "Responsable des systèmes d'information",
    "Responsable des systèmes d'information",
)
HEAD_OFFICE_TITLES: tuple[tuple[str, str], ...] = (
    ("Contrôleur de gestion", "Contrôleuse de gestion"),
    ("Chargé de communication interne", "Chargée de communication interne"),
    ("Responsable paie", "Responsable paie"),
    ("Chargé de recrutement", "Chargée de recrutement"),
    ("Acheteur", "Acheteuse"),
    ("Chef de produit", "Cheffe de produit"),
    ("Juriste", "Juriste"),
    ("Comptable", "Comptable"),
    ("Analyste expérience client", "Analyste expérience client"),
    ("Assistant de direction", "Assistante de direction"),
    ("Responsable formation", "Responsable formation"),
    ("Chargé de relation client", "Chargée de relation client"),
)
